from django.urls import path

from . import views

urlpatterns = [
    path("shows/", views.ShowListApi.as_view(), name="show-list"),
    path("shows/<slug:slug>/", views.ShowDetailApi.as_view(), name="show-detail"),
    path("performances/<int:performance_id>/", views.PerformanceDetailApi.as_view(),
         name="performance-detail"),
]
