from django.urls import path

from . import views

urlpatterns = [
    path("me/", views.MeApi.as_view(), name="me"),
    path("tickets/", views.OrderListApi.as_view(), name="order-list"),
    path("tickets/<uuid:order_id>/", views.OrderDetailApi.as_view(), name="order-detail"),
    path("tickets/<uuid:order_id>/payment/", views.OrderPaymentApi.as_view(),
         name="order-payment"),
    path("tickets/<uuid:order_id>/pay/", views.OrderPayApi.as_view(), name="order-pay"),
    path("tickets/<uuid:order_id>/cancel/", views.OrderCancelApi.as_view(), name="order-cancel"),
    path("waitlist/", views.MyWaitlistApi.as_view(), name="waitlist-list"),
    path("performances/<int:performance_id>/waitlist/", views.PerformanceWaitlistApi.as_view(),
         name="performance-waitlist"),
    path("tickets/<uuid:order_id>/tickets.pdf", views.OrderTicketsPdfApi.as_view(),
         name="order-tickets-pdf"),
    path("tickets/<uuid:order_id>/tickets/<str:code>/qr.svg", views.TicketQrApi.as_view(),
         name="ticket-qr"),
]
