"""Stripe webhook events: each processed once, each mapped to one service call.

The event id is stored in the same transaction as what the event changes, so a redelivery
(or two deliveries in parallel: the second waits on the primary key, then finds it) does
nothing. Unknown types are acknowledged and ignored, as Stripe recommends.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from . import services
from .models import Payment, WebhookEvent
from .stripe_api import field

logger = logging.getLogger(__name__)

HANDLED = ("payment_intent.succeeded", "payment_intent.payment_failed",
           "payment_intent.canceled", "charge.refunded")


def webhook_process(*, event: Any, now: dt.datetime | None = None) -> bool:
    """Apply a verified event; False when it was seen before."""
    from tickets import holds
    from tickets import services as tickets

    now = now or timezone.now()
    kind, data = field(event, "type", ""), field(field(event, "data", {}), "object", {})
    with transaction.atomic():
        try:
            with transaction.atomic():
                WebhookEvent.objects.create(event_id=field(event, "id"), type=kind[:100],
                                            received_at=now)
        except IntegrityError:
            return False  # processed already (a parallel delivery waited for it, then lost)
        if kind == "payment_intent.succeeded":
            order_id = _order_of(field(data, "id"))
            if order_id:
                holds.order_payment_succeeded(order_id=order_id, now=now)
            else:
                _purchase_paid(field(data, "id", ""), now)
        elif kind == "payment_intent.payment_failed":
            error = field(data, "last_payment_error", {})
            services.payment_record_failure(
                intent_id=field(data, "id", ""),
                message=str(field(error, "message", "The payment failed.")))
        elif kind == "payment_intent.canceled":
            services.payment_record_canceled(intent_id=field(data, "id", ""))
        elif kind == "charge.refunded":
            order_id, full = services.payment_record_refund(
                intent_id=field(data, "payment_intent", ""),
                refunded_cents=int(field(data, "amount_refunded", 0)),
                refund_id=_latest_refund_id(data))
            if order_id and full:
                tickets.order_refunded_in_stripe(order_id=order_id, now=now)
    return True


def _purchase_paid(intent_id: str, now: dt.datetime) -> None:
    """A gift card bought online (payments/purchases.py) was paid: issue it, once."""
    from vouchers.services import gift_card_purchase_paid

    from .purchases import purchase_of_intent

    purchase_id = purchase_of_intent(intent_id=intent_id)
    if purchase_id is not None:
        gift_card_purchase_paid(purchase_id=purchase_id, now=now)


def _order_of(intent_id: str) -> Any:
    return Payment.objects.filter(intent_id=intent_id).values_list(
        "order_id", flat=True).first()


def _latest_refund_id(charge: Any) -> str:
    refunds = field(field(charge, "refunds", {}), "data", [])
    return str(field(refunds[0], "id", "")) if refunds else ""
