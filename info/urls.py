from django.urls import path

from . import views

urlpatterns = [
    path("info/", views.InfoPageListApi.as_view(), name="info-list"),
    path("info/<slug:slug>/", views.InfoPageDetailApi.as_view(), name="info-detail"),
]
