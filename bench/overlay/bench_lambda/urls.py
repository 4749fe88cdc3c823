from django.http import JsonResponse
from django.urls import path

from project.urls import handler404, handler500
from project.urls import urlpatterns as project_urlpatterns

__all__ = ["handler404", "handler500", "urlpatterns"]


def fixed(request):
    """The warm floor: a plain Django view, a fixed JsonResponse, same middleware."""
    return JsonResponse({"status": "ok"})


urlpatterns = [path("bench-floor/", fixed), *project_urlpatterns]
