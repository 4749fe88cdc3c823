from django.contrib import admin
from django.http import JsonResponse
from django.urls import path


def fixed(request):
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("admin/", admin.site.urls),
    path("floor/", fixed),
]
