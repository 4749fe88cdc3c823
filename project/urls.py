"""Top-level routes: the admin, the REST API under /api/v1/, its schema and docs."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from .clock import ServerTimeApi
from .health import HealthApi
from .lazy import lazy_view
from .problems import api_not_found

admin.site.site_header = "Marquee box office"
admin.site.site_title = "Marquee"
admin.site.index_title = "Venue administration"

handler404 = "project.problems.handler404"
handler500 = "project.problems.handler500"

api_v1 = [
    path("health/", HealthApi.as_view(), name="health"),
    path("time/", ServerTimeApi.as_view(), name="server-time"),
    # The schema generator is heavy: imported on the first request for it only.
    path("schema/", lazy_view("drf_spectacular.views.SpectacularAPIView"), name="schema"),
    path("", include("shows.urls")),
    path("", include("tickets.urls")),
    path("", include("seating.urls")),
    path("", include("info.urls")),
    path("", include("payments.urls")),
    path("", include("vouchers.urls")),
    path("", include("waitingroom.urls")),
    path("", include("languages.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/docs/", lazy_view("drf_spectacular.views.SpectacularSwaggerView",
                                url_name="schema"), name="api-docs"),
    # Last of /api/: an unknown API route is a 404 problem, with DEBUG on too.
    re_path(r"^api/", api_not_found, name="api-not-found"),
]

if settings.LOCAL_ISSUER_ENABLED:  # dev and test only; production settings never enable it
    urlpatterns.append(path("dev-auth/", include("devauth.urls")))

# The SPA (make run, tests; CloudFront + S3 in production): last, as it catches the rest.
urlpatterns.append(path("", include("project.spa")))
