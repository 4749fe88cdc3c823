from django.urls import path

from . import views

urlpatterns = [
    path("performances/<int:performance_id>/waiting-room/", views.WaitingRoomApi.as_view(),
         name="waiting-room"),
]
