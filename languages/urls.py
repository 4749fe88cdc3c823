from django.urls import path

from . import views

urlpatterns = [
    path("me/language/", views.CustomerLanguageApi.as_view(), name="me-language"),
]
