"""The bench URLconf: project.urls unchanged, plus the floors under /bench/floor/.

Only bench/http_site/settings.py names this module: no deployed setting can reach it.
"""

from django.urls import path

from project.urls import handler404, handler500
from project.urls import urlpatterns as project_urlpatterns

from . import floor

__all__ = ["handler404", "handler500", "urlpatterns"]

urlpatterns = [
    path("bench/floor/reserve/", floor.reserve),
    path("bench/floor/plain/", floor.plain),
    *project_urlpatterns,  # last: it ends with the SPA's catch-all
]
