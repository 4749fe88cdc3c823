"""The `payment` object of an order (API.md): what the SPA needs to pay and to show."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from .models import Payment


class PaymentSerializer(serializers.ModelSerializer):
    provider = serializers.SerializerMethodField()
    publishable_key = serializers.SerializerMethodField()
    js_url = serializers.SerializerMethodField()
    client_secret = serializers.SerializerMethodField()
    setup_client_secret = serializers.SerializerMethodField()
    amount_cents = serializers.IntegerField(min_value=1)
    refunded_cents = serializers.IntegerField(min_value=0)
    last_error = serializers.SerializerMethodField()
    refund_reason = serializers.SerializerMethodField()

    class Meta:
        model = Payment
        fields = ["provider", "status", "amount_cents", "currency", "refunded_cents",
                  "publishable_key", "js_url", "client_secret", "setup_client_secret",
                  "last_error", "refund_reason"]
        read_only_fields = fields

    def get_provider(self, payment: Payment) -> str:
        return "stripe"

    def get_publishable_key(self, payment: Payment) -> str:
        return settings.STRIPE_PUBLISHABLE_KEY

    def get_js_url(self, payment: Payment) -> str:
        return settings.STRIPE_JS_URL

    # The client secrets let the browser collect a card and pass 3-D Secure: only while
    # the order still awaits payment.
    def get_client_secret(self, payment: Payment) -> str | None:
        return payment.client_secret if self._payable(payment) else None

    def get_setup_client_secret(self, payment: Payment) -> str | None:
        return payment.setup_client_secret if self._payable(payment) else None

    def get_last_error(self, payment: Payment) -> str | None:
        return payment.last_error or None

    def get_refund_reason(self, payment: Payment) -> str | None:
        return payment.refund_reason or None

    def _payable(self, payment: Payment) -> bool:
        return payment.order.status == "pending"


class PayInputSerializer(serializers.Serializer):
    # A PaymentMethod id from stripe.js (confirmCardSetup): never card numbers.
    payment_method = serializers.RegexField(r"^pm_[A-Za-z0-9_]{1,200}$", max_length=203)
