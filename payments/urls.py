from django.urls import path

from . import views

urlpatterns = [
    path("payments/stripe/webhook/", views.StripeWebhookApi.as_view(), name="stripe-webhook"),
]
