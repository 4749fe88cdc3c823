"""What Marquee knows of Stripe: one payment per paid order, customers, webhook events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class PaymentStatus(models.TextChoices):
    """Stripe's PaymentIntent statuses we act on, plus the refund's own two steps."""

    REQUIRES_PAYMENT_METHOD = "requires_payment_method"  # awaiting a card (or one failed)
    REQUIRES_ACTION = "requires_action"                  # 3-D Secure in the browser
    PROCESSING = "processing"
    SUCCEEDED = "succeeded"                              # the money is ours
    CANCELED = "canceled"                                # the intent was cancelled unpaid
    REFUND_DUE = "refund_due"      # paid, no seats for it (cancelled, or a lapsed hold)
    REFUNDING = "refunding"        # one worker claimed the refund and is calling Stripe
    REFUNDED = "refunded"


class Payment(models.Model):
    """The Stripe PaymentIntent (and the SetupIntent that collects the card) of an order.

    Status moves by conditional UPDATEs only (payments/services.py); a refund is claimed
    (refund_due → refunding) before Stripe is called, so it is sent once.
    """

    order = models.OneToOneField("tickets.Order", on_delete=models.PROTECT,
                                 primary_key=True, related_name="payment")
    intent_id = models.CharField(max_length=255, unique=True)
    setup_intent_id = models.CharField(max_length=255, blank=True)
    # The browser needs them to collect the card and pass 3-D Secure while the hold lasts;
    # they confirm this one intent only, with our publishable key.
    client_secret = models.CharField(max_length=255)
    setup_client_secret = models.CharField(max_length=255, blank=True)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=32, choices=PaymentStatus.choices,
                              default=PaymentStatus.REQUIRES_PAYMENT_METHOD)
    last_error = models.CharField(max_length=500, blank=True)
    refunded_cents = models.PositiveIntegerField(default=0)
    # The refund owed when less than the whole payment (a cancellation fee kept); null: all.
    refund_due_cents = models.PositiveIntegerField(null=True, blank=True)
    refund_id = models.CharField(max_length=255, blank=True)
    refund_reason = models.CharField(max_length=200, blank=True)
    # When Stripe was last asked about this intent (reconciliation, at most every few s).
    checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["updated_at"],
                         condition=Q(status__in=["refund_due", "refunding"]),
                         name="payment_refund_owed"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values),
                                   name="payment_status_known"),
            models.CheckConstraint(condition=Q(amount_cents__gt=0),
                                   name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(refunded_cents__lte=F("amount_cents")),
                                   name="payment_refund_within_amount"),
        ]

    def __str__(self) -> str:
        return self.intent_id


class StripeCustomer(models.Model):
    """The Stripe Customer of a Marquee user: a card set up for an order is attached to it,
    which real Stripe requires before a PaymentIntent may use it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                primary_key=True, related_name="+")
    customer_id = models.CharField(max_length=255, unique=True)

    def __str__(self) -> str:
        return self.customer_id


class WebhookEvent(models.Model):
    """A Stripe event we processed. Its id is the primary key: a redelivered event (or two
    deliveries in parallel) finds it taken and does nothing."""

    event_id = models.CharField(max_length=255, primary_key=True)
    type = models.CharField(max_length=100)
    received_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class PurchasePayment(models.Model):
    """The Stripe PaymentIntent of a gift card bought online (vouchers.GiftCardPurchase):
    the same card flow as an order's payment, without seats to hold."""

    purchase = models.OneToOneField("vouchers.GiftCardPurchase", on_delete=models.PROTECT,
                                    primary_key=True, related_name="payment")
    intent_id = models.CharField(max_length=255, unique=True)
    setup_intent_id = models.CharField(max_length=255, blank=True)
    client_secret = models.CharField(max_length=255)
    setup_client_secret = models.CharField(max_length=255, blank=True)
    amount_cents = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=32, choices=PaymentStatus.choices,
                              default=PaymentStatus.REQUIRES_PAYMENT_METHOD)
    last_error = models.CharField(max_length=500, blank=True)
    # Refunded by staff (its gift card untouched, then voided): all of it, once.
    refund_id = models.CharField(max_length=255, blank=True)
    refunded_cents = models.PositiveIntegerField(default=0, db_default=0)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_cents__gt=0),
                                   name="purchasepayment_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.intent_id
