"""GET /api/v1/time/: the server's clock, so that a countdown to an on-sale time turns into
the buy button at the server's second, whatever the browser's clock says. No database, no
cache: one answer per call, never stored by a cache."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .schema import problems

ServerTime = inline_serializer("ServerTime", fields={
    "now": serializers.DateTimeField(help_text="The server's time (UTC, milliseconds)."),
})


class ServerTimeApi(APIView):
    throttle_classes = []

    @extend_schema(operation_id="server_time", responses={200: ServerTime, **problems(429)})
    def get(self, request: Request) -> Response:
        now = timezone.now()
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"
        return Response({"now": stamp}, headers={"Cache-Control": "no-store"})
