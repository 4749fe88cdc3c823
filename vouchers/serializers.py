"""Output shapes of the voucher preview and the gift-card balance."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from .models import (
    MAX_PURCHASE_CENTS,
    MIN_PURCHASE_CENTS,
    GiftCardPurchase,
    PurchaseStatus,
    VoucherKind,
)


class PreviewQuerySerializer(serializers.Serializer):
    performance = serializers.IntegerField(min_value=1, max_value=2**31 - 1)


class PreviewCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    price_cents = serializers.IntegerField(min_value=0)
    # Off each seat of this category (the first max_per_order seats of an order).
    discount_cents = serializers.IntegerField(min_value=0)
    # True: a hidden category this code reveals (buy it with the code).
    hidden = serializers.BooleanField()
    # The limits a reserve form's stepper keeps to, as the performance's categories give
    # them: a hidden category is not among those, so its own are only here.
    max_per_order = serializers.IntegerField(
        min_value=1, allow_null=True, help_text="Seats of this category per order at most.")
    seats_left = serializers.IntegerField(
        min_value=0, help_text="Seats of this category on sale (its quota, the performance's).")


class VoucherPreviewSerializer(serializers.Serializer):
    code = serializers.CharField()
    kind = serializers.ChoiceField(choices=VoucherKind.choices)
    value = serializers.IntegerField(min_value=0)
    performance = serializers.IntegerField()
    categories = PreviewCategorySerializer(many=True)
    uses_left = serializers.IntegerField(min_value=0, allow_null=True)
    max_per_order = serializers.IntegerField(min_value=1, allow_null=True)


class GiftCardBalanceSerializer(serializers.Serializer):
    balance_cents = serializers.IntegerField(min_value=0)
    currency = serializers.CharField()
    expires_at = serializers.DateTimeField()


class PurchaseInputSerializer(serializers.Serializer):
    amount_cents = serializers.IntegerField(min_value=MIN_PURCHASE_CENTS,
                                            max_value=MAX_PURCHASE_CENTS)
    # Empty: the code is emailed to the buyer.
    recipient_email = serializers.EmailField(required=False, allow_blank=True)
    message = serializers.CharField(required=False, allow_blank=True, max_length=1000)


class PurchasePaymentSerializer(serializers.Serializer):
    """What the SPA needs to collect the card (the order payment's shape)."""

    provider = serializers.CharField()
    status = serializers.CharField()
    amount_cents = serializers.IntegerField(min_value=1)
    currency = serializers.CharField()
    publishable_key = serializers.CharField()
    js_url = serializers.CharField()
    client_secret = serializers.CharField(allow_null=True)
    setup_client_secret = serializers.CharField(allow_null=True)
    last_error = serializers.CharField(allow_null=True)


class PurchaseSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=PurchaseStatus.choices)
    amount_cents = serializers.IntegerField(min_value=1)
    currency = serializers.CharField()
    recipient_email = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    payment = PurchasePaymentSerializer(allow_null=True)


def purchase_body(purchase: GiftCardPurchase) -> dict[str, Any]:
    payment = getattr(purchase, "payment", None)
    pending = purchase.status == PurchaseStatus.PENDING
    body = {"id": purchase.id, "status": purchase.status, "amount_cents": purchase.amount_cents,
            "currency": purchase.currency, "recipient_email": purchase.recipient_email,
            "created_at": purchase.created_at, "payment": None}
    if payment is not None:
        body["payment"] = {
            "provider": "stripe", "status": payment.status, "amount_cents": payment.amount_cents,
            "currency": payment.currency, "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "js_url": settings.STRIPE_JS_URL,
            "client_secret": payment.client_secret if pending else None,
            "setup_client_secret": payment.setup_client_secret if pending else None,
            "last_error": payment.last_error or None}
    return PurchaseSerializer(body).data
