"""RFC 9457 problem responses: the one place where errors become HTTP responses.

`api_exception_handler` is DRF's EXCEPTION_HANDLER; `api_not_found` answers unknown /api/
routes in every mode, DEBUG too; `handler404`/`handler500` cover the rest of what never
reaches a DRF view (crashes, pages). No response carries a traceback, SQL or a settings
value.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import InterfaceError, OperationalError, connection
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions
from rest_framework.response import Response

from .errors import DomainError

logger = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
# Titles and details are translated into the request's language (LocaleMiddleware, from
# Accept-Language); `code` never is.
TITLES = {400: _("Malformed request"), 401: _("Not authenticated"), 403: _("Forbidden"),
          404: _("Not found"), 405: _("Method not allowed"), 406: _("Not acceptable"),
          413: _("Request too large"), 415: _("Unsupported media type"),
          422: _("Invalid request"), 429: _("Too many requests"), 500: _("Server error"),
          503: _("Service unavailable")}
CODES = {400: "malformed", 401: "not_authenticated", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 406: "not_acceptable", 413: "too_large",
         415: "unsupported_media_type", 422: "invalid", 429: "throttled",
         500: "server_error", 503: "unavailable"}


def problem(status: int, *, code: str | None = None, detail: str = "",
            title: str | None = None, **extra: Any) -> dict[str, Any]:
    code = code or CODES.get(status, "error")
    title = str(title or TITLES.get(status, _("Error")))
    return {"type": f"urn:marquee:problem:{code}", "title": title,
            "status": status, "detail": str(detail or title), "code": code, **extra}


def problem_response(status: int, **kwargs: Any) -> JsonResponse:
    """A problem response for plain Django views and middleware."""
    return JsonResponse(problem(status, **kwargs), status=status, content_type=CONTENT_TYPE,
                        json_dumps_params={"ensure_ascii": False})


# A paused database (Aurora Serverless v2 at 0 ACU, profile small) resumes in about 15 s,
# 30 s after a long pause; a connection attempt starts the resume. The attempt gives up
# after connect_timeout (3 s in production), well inside API Gateway's 29 s, and the
# client is asked to come back (the SPA says "Waking up the box office…" and retries).
RESUME_RETRY_AFTER = 5


def database_resuming(exc: Exception) -> bool:
    """`exc` is a failure to connect (no connection was made) to a database that pauses."""
    return (getattr(settings, "DATABASE_PAUSES", False)
            and isinstance(exc, OperationalError) and connection.connection is None)


def resuming_problem() -> dict[str, Any]:
    return problem(503, code="database_resuming", title="Waking up",
                   detail="The box office is waking up; try again in a few seconds.",
                   retry_after=RESUME_RETRY_AFTER)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    status, body, headers = _describe(exc)
    if status is None:
        return None  # an unknown error: Django's handler500 answers, without details
    return Response(body, status=status, headers=headers, content_type=CONTENT_TYPE)


def _describe(exc: Exception) -> tuple[int | None, dict[str, Any], dict[str, str]]:
    headers: dict[str, str] = {}
    if isinstance(exc, DomainError):
        if exc.retry_after is not None:
            headers["Retry-After"] = str(exc.retry_after)
        return exc.status, problem(exc.status, code=exc.code, title=exc.title,
                                   detail=exc.detail, **exc.extra), headers
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, OperationalError | InterfaceError):
        if database_resuming(exc):
            return 503, resuming_problem(), {"Retry-After": str(RESUME_RETRY_AFTER)}
        # Connection lost, server gone, lock timeout: retryable. (IntegrityError and other
        # DatabaseErrors are bugs: they stay 500s.)
        logger.exception("database unavailable")
        headers["Retry-After"] = "2"
        return 503, problem(503, detail=_("The database is unavailable; try again shortly.")), \
            headers
    if not isinstance(exc, exceptions.APIException):
        return None, {}, headers

    if isinstance(exc, exceptions.ValidationError):
        return 422, problem(422, detail=_("Some values are invalid."),
                            errors=_field_errors(exc.detail)), headers
    if isinstance(exc, exceptions.ParseError):
        return 400, problem(400, detail=str(exc.detail)), headers
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
        code = "not_authenticated" if isinstance(exc, exceptions.NotAuthenticated) \
            else "invalid_token"
        return 401, problem(401, code=code, detail=str(exc.detail)), headers
    if isinstance(exc, exceptions.Throttled):
        wait = max(int(exc.wait or 1), 1)
        headers["Retry-After"] = str(wait)
        detail = _("Too many requests; retry in %(wait)d s.") % {"wait": wait}
        return 429, problem(429, detail=detail, retry_after=wait), headers
    status = exc.status_code
    return status, problem(status, detail=str(exc.detail)), headers


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {field: [str(m) for m in (msgs if isinstance(msgs, list) else [msgs])]
                for field, msgs in detail.items()}
    return {"non_field_errors": [str(m) for m in (detail if isinstance(detail, list)
                                                 else [detail])]}


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


@csrf_exempt  # it changes nothing; a 403 CSRF page would hide the 404
def api_not_found(request: HttpRequest) -> HttpResponse:
    """Any /api/ path no API route matches (project.urls routes them here, last).

    A route and not only handler404, because with DEBUG on (`make run`) Django answers an
    unmatched URL with its HTML debug page and never calls handler404. A path that matches
    with a slash appended is redirected there, as CommonMiddleware's APPEND_SLASH does for
    unmatched paths.
    """
    if settings.APPEND_SLASH and not request.path_info.endswith("/"):
        try:
            match = resolve(f"{request.path_info}/", getattr(request, "urlconf", None))
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found \
                and getattr(match.func, "should_append_slash", True):
            return HttpResponsePermanentRedirect(request.get_full_path(force_append_slash=True))
    return problem_response(404, detail=_("No such resource."))


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _is_api(request):
        return problem_response(404, detail=_("No such resource."))
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if _is_api(request):
        return problem_response(500, detail=_("Something went wrong on our side."))
    from django.views.defaults import server_error

    return server_error(request)
