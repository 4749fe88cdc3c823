from django.urls import path

from . import views

urlpatterns = [
    path("layouts/<int:layout_id>/", views.LayoutApi.as_view(), name="layout-detail"),
]
