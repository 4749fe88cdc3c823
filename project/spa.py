"""Serves the built single-page app (frontend/dist) under `make run` and in tests.

In production CloudFront serves frontend/dist from S3; here Django does the same job:
content-hashed files under /assets/ are cached for a year, every other path that is not
the API, the admin or the local issuer gets index.html (history-API fallback), so a deep
link such as /tickets/<id> reloads fine. Include last in the root URLconf:

    path("", include("project.spa")),
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import re_path
from django.utils._os import safe_join
from django.views.decorators.http import require_safe

# Paths that belong to the server, never to the SPA: a miss there is the server's 404.
SERVER_PREFIXES = ("api/", "admin/", "dev-auth/", "static/", "media/", "assets/")
IMMUTABLE = "public, max-age=31536000, immutable"
# The SPA's own routes (frontend/src/app.tsx). Any other path still gets index.html, so the
# SPA shows its "not found" view, but with a 404 status: no soft 404s for crawlers and tools.
CLIENT_ROUTES = re.compile(r"(|shows(/[^/]+)?|tickets(/[^/]+)?|info(/[^/]+)?|gift-cards|auth/callback)/?")  # noqa: E501


def dist_dir() -> Path:
    """Where `npm run build` writes; a setting so tests can point elsewhere."""
    return Path(getattr(settings, "SPA_DIST_DIR", settings.BASE_DIR / "frontend" / "dist"))


def _file(path: str, under: str = "") -> Path | None:
    try:
        candidate = Path(safe_join(dist_dir() / under, path))
        return candidate if candidate.is_file() else None
    except (SuspiciousFileOperation, ValueError, OSError):  # outside dist/, NUL byte…
        return None


def _send(file: Path, cache_control: str, status: int = 200) -> FileResponse:
    content_type, _ = mimetypes.guess_type(file.name)
    response = FileResponse(file.open("rb"), status=status,
                            content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = cache_control
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def asset(request: HttpRequest, path: str) -> FileResponse:
    """A content-hashed build file: its name changes with its content, so cache it forever."""
    file = _file(path, under="assets")
    if file is None:
        raise Http404("No such asset.")
    return _send(file, IMMUTABLE)


@require_safe
def index(request: HttpRequest, path: str = "") -> HttpResponse:
    """index.html for every other path (a 404 outside the SPA's routes); a top-level file of
    dist/ (robots.txt) as is."""
    if path and "/" not in path and (file := _file(path)) and file.name != "index.html":
        return _send(file, "public, max-age=3600")
    page = _file("index.html")
    if page is None:
        return HttpResponse(
            "The single-page app is not built yet: run `make spa` (or `make run`).",
            status=503, content_type="text/plain; charset=utf-8")
    # Always revalidated: it names the current hashed assets.
    status = 200 if CLIENT_ROUTES.fullmatch(path) else 404
    return _send(page, "no-cache", status=status)


_not_server = "".join(f"(?!{prefix})" for prefix in SERVER_PREFIXES)

urlpatterns = [
    re_path(r"^assets/(?P<path>[^?#]+)$", asset, name="spa-asset"),
    re_path(rf"^{_not_server}(?P<path>.*)$", index, name="spa"),
]
