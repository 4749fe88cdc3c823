"""Stripe's webhook endpoint: verify the signature, process each event once."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from project.schema import problems

from .stripe_api import construct_event
from .webhooks import webhook_process


class StripeWebhookApi(APIView):
    """Called by Stripe, not by people: no token, no throttle; the signature is the auth."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(operation_id="payments_stripe_webhook", request=OpenApiTypes.OBJECT,
                   responses={200: inline_serializer("WebhookReceipt", {
                       "received": serializers.BooleanField(),
                       "duplicate": serializers.BooleanField()}),
                       **problems(400, 413, 503)})
    def post(self, request: Request) -> Response:
        """A Stripe event, signed with the endpoint's secret (Stripe-Signature header)."""
        # The raw bytes: the signature covers them exactly, so the body is never parsed
        # before it is verified.
        event = construct_event(request.body, request.headers.get("Stripe-Signature", ""))
        processed = webhook_process(event=event)
        return Response({"received": True, "duplicate": not processed})
