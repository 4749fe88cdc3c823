"""Request guards that must run before any view reads the body."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from .problems import problem_response

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
