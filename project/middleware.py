"""Request guards that must run before any view reads the body."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .problems import (
    RESUME_RETRY_AFTER,
    database_resuming,
    problem_response,
    resuming_problem,
)

WEBHOOKS = "/api/v1/payments/"
WEBHOOK_MAX_BODY_BYTES = 256 * 1024


class ApiBodySizeLimitMiddleware:
    """Refuse API bodies over API_MAX_BODY_BYTES with a 413 problem, before reading them.

    Django's DATA_UPLOAD_MAX_MEMORY_SIZE is not enough: DRF parsers read the stream, which
    that setting does not guard. The admin (attachment uploads) is not limited here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.limit = settings.API_MAX_BODY_BYTES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info.startswith("/api/"):
            # Stripe's events (a charge with its refunds) may pass the limit for people.
            limit = WEBHOOK_MAX_BODY_BYTES if request.path_info.startswith(WEBHOOKS) \
                else self.limit
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                return problem_response(400, detail=_("Invalid Content-Length header."))
            if length > limit:
                return problem_response(413, detail=_(
                    "Request bodies are limited to %(limit)d bytes.") % {"limit": limit})
        return self.get_response(request)


class DatabaseResumingMiddleware:
    """A paused database being woken, outside DRF's views (the admin, a session read):
    503 with Retry-After at once, instead of an error page (project/problems.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception
                          ) -> HttpResponse | None:
        if not database_resuming(exception):
            return None
        if request.path_info.startswith("/api/"):
            response = problem_response(503, **{k: v for k, v in resuming_problem().items()
                                                if k not in ("type", "status")})
        else:
            response = HttpResponse(
                f'<!doctype html><meta http-equiv="refresh" content="{RESUME_RETRY_AFTER}">'
                "<title>Waking up</title><p>Waking up the box office… this page reloads "
                f"in {RESUME_RETRY_AFTER} seconds.</p>", status=503)
        response["Retry-After"] = str(RESUME_RETRY_AFTER)
        return response
