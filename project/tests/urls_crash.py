"""A URLconf with a view that crashes, to test the 500 problem response."""

from django.urls import include, path
from rest_framework.views import APIView


class CrashApi(APIView):
    def get(self, request):
        raise RuntimeError("secret-detail: SELECT password FROM users")


urlpatterns = [
    path("api/v1/crash/", CrashApi.as_view()),
    path("", include("project.urls")),
]

handler404 = "project.problems.handler404"
handler500 = "project.problems.handler500"
