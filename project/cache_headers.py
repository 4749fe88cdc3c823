"""Cache-Control on every API and admin response: what the edge (CloudFront) may keep.

The public GETs — shows, performances, info pages, answered the same to everyone — say
`public, s-maxage=EDGE_MAX_AGE, stale-while-revalidate=EDGE_STALE, stale-if-error=…`:
CloudFront keeps them a few seconds (deploy/templates/frontend.yaml, PublicApiCachePolicy)
and serves the kept copy while it asks again, so an on-sale rush or a crawler reads from
the edge and a paused database is not woken by each reader. `max-age=0`: browsers ask
again each time (the edge answers).

Everything else — a request with a token, the admin, any error, any other path — is
`private, no-store` unless the view already made it private: a signed-in answer is never
kept by a shared cache. Seat counts on the public pages are therefore up to
EDGE_MAX_AGE + EDGE_STALE seconds old (DEPLOY.md, "Public pages at the edge"); the
reservation statement, not the page, decides whether a seat is sold.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

PUBLIC_PATHS = ("/api/v1/shows/", "/api/v1/performances/", "/api/v1/info/")
GUARDED_PATHS = ("/api/", "/admin/")


def is_public(request: HttpRequest, response: HttpResponse) -> bool:
    return (request.method in ("GET", "HEAD") and response.status_code == 200
            and request.path_info.startswith(PUBLIC_PATHS)
            and "HTTP_AUTHORIZATION" not in request.META
            and not request.path_info.rstrip("/").endswith("/waitlist"))


def public_cache_control() -> str:
    return (f"public, max-age=0, s-maxage={settings.EDGE_MAX_AGE}, "
            f"stale-while-revalidate={settings.EDGE_STALE}, "
            f"stale-if-error={settings.EDGE_STALE_IF_ERROR}")


class CacheHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path_info.startswith(GUARDED_PATHS):
            return response
        if is_public(request, response):
            response["Cache-Control"] = public_cache_control()
            return response
        current = response.get("Cache-Control", "")
        if "private" not in current and "no-store" not in current:
            if "Cache-Control" in response:
                del response["Cache-Control"]
            patch_cache_control(response, private=True, no_store=True)
        return response
