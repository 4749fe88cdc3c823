"""GET /api/v1/health/: is the database reachable, is the cache?"""

from __future__ import annotations

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .problems import CONTENT_TYPE, problem
from .schema import problems

Health = inline_serializer("Health", fields={
    "status": serializers.CharField(help_text="Always `ok` with a 200."),
    "database": serializers.CharField(help_text="`ok` with a 200."),
    "cache": serializers.CharField(help_text="`ok` or `unavailable` (reads still served)."),
})


def database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except DatabaseError:
        return False


def cache_ok() -> bool:
    is_available = getattr(cache, "is_available", None)
    return is_available() if is_available else True


class HealthApi(APIView):
    throttle_classes = []

    @extend_schema(operation_id="health", responses={200: Health, **problems(503)})
    def get(self, request: Request) -> Response:
        cache_state = "ok" if cache_ok() else "unavailable"
        if not database_ok():
            return Response(problem(503, detail=_("The database is unavailable."),
                                    database="unavailable", cache=cache_state),
                            status=503, content_type=CONTENT_TYPE, headers={"Retry-After": "5"})
        return Response({"status": "ok", "database": "ok", "cache": cache_state})
