"""GET /api/v1/health/: is the database reachable (or waking up), is the cache?"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .problems import CONTENT_TYPE, RESUME_RETRY_AFTER, database_resuming, problem
from .schema import problems

Health = inline_serializer("Health", fields={
    "status": serializers.CharField(help_text="Always `ok` with a 200."),
    "database": serializers.CharField(
        help_text="`ok`; with `wake=false`, `paused` when this process holds no open "
                  "connection to a database that pauses (it was not woken to find out)."),
    "cache": serializers.CharField(help_text="`ok` or `unavailable` (reads still served)."),
})


def database_state() -> str:
    """`ok`, `resuming` (a paused database was asked for a connection: it is waking up)
    or `unavailable`."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except DatabaseError as exc:
        return "resuming" if database_resuming(exc) else "unavailable"


def database_ok() -> bool:
    return database_state() == "ok"


def cache_ok() -> bool:
    is_available = getattr(cache, "is_available", None)
    return is_available() if is_available else True


class HealthApi(APIView):
    throttle_classes = []

    @extend_schema(operation_id="health", responses={200: Health, **problems(422, 503)},
                   parameters=[OpenApiParameter(
                       "wake", OpenApiTypes.BOOL, description=(
                           "`false`: a monitor's probe that must not wake a paused "
                           "database (answers `paused` instead of connecting)."))])
    def get(self, request: Request) -> Response:
        wake = request.query_params.get("wake", "true")
        if wake not in ("true", "false"):
            raise ValidationError({"wake": ["Must be true or false."]})
        cache_state = "ok" if cache_ok() else "unavailable"
        if (wake == "false" and settings.DATABASE_PAUSES
                and connection.connection is None):
            return Response({"status": "ok", "database": "paused", "cache": cache_state})
        state = database_state()
        if state == "resuming":
            return Response(problem(503, code="database_resuming", title=_("Waking up"),
                                    detail=_("The database is resuming; try again shortly."),
                                    database="resuming", cache=cache_state),
                            status=503, content_type=CONTENT_TYPE,
                            headers={"Retry-After": str(RESUME_RETRY_AFTER)})
        if state != "ok":
            return Response(problem(503, detail=_("The database is unavailable."),
                                    database="unavailable", cache=cache_state),
                            status=503, content_type=CONTENT_TYPE, headers={"Retry-After": "5"})
        return Response({"status": "ok", "database": "ok", "cache": cache_state})
