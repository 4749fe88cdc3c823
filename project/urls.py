"""Top-level routes: the admin, the REST API under /api/v1/."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Marquee box office"
admin.site.site_title = "Marquee"
admin.site.index_title = "Venue administration"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("shows.urls")),
    path("api/v1/", include("tickets.urls")),
    path("api/v1/", include("info.urls")),
]
