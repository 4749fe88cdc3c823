"""Stripe for what is not an order: a gift card bought online (vouchers.GiftCardPurchase).

The same flow as an order's payment (services.py): a PaymentIntent and a SetupIntent the
browser completes with the card, confirmed on the server; the webhook
payment_intent.succeeded also reports it (webhooks.py). Nothing is held meanwhile.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from project import pending_work

from . import errors
from .models import PaymentStatus, PurchasePayment
from .services import GRACE_FOR_REFUND, STALE_REFUND_CLAIM, _customer_for
from .stripe_api import call, field, invalid_request_error

logger = logging.getLogger(__name__)


def _key(purchase_id: uuid.UUID, step: str) -> str:
    return f"marquee-giftcard-{purchase_id}-{step}"


def purchase_payment_start(*, purchase_id: uuid.UUID, user: AbstractBaseUser,
                           amount_cents: int, currency: str,
                           now: dt.datetime | None = None) -> PurchasePayment:
    """Create the intents of a purchase and store them (raises PaymentUnavailable)."""
    customer_id = _customer_for(user)
    metadata = {"gift_card_purchase": str(purchase_id)}
    intent = call("payment_intents.create",
                  {"amount": amount_cents, "currency": currency.lower(),
                   "customer": customer_id, "payment_method_types": ["card"],
                   "metadata": metadata}, {"idempotency_key": _key(purchase_id, "intent")})
    setup = call("setup_intents.create",
                 {"customer": customer_id, "usage": "on_session",
                  "payment_method_types": ["card"], "metadata": metadata},
                 {"idempotency_key": _key(purchase_id, "setup")})
    return PurchasePayment.objects.create(
        purchase_id=purchase_id, intent_id=intent.id, setup_intent_id=setup.id,
        client_secret=intent.client_secret, setup_client_secret=setup.client_secret,
        amount_cents=amount_cents, currency=currency, created_at=now or timezone.now())


def purchase_payment_pay(*, purchase_id: uuid.UUID, payment_method: str) -> str:
    """Confirm the purchase's intent with the card set up in the browser; its status.
    A decline raises CardDeclined (another card may be tried)."""
    payment = PurchasePayment.objects.get(pk=purchase_id)
    try:
        call("payment_intents.update", payment.intent_id, {"payment_method": payment_method})
        intent = call("payment_intents.confirm", payment.intent_id, None,
                      {"idempotency_key": _key(purchase_id, f"confirm-{payment_method}")})
    except errors.CardDeclined as exc:
        PurchasePayment.objects.filter(pk=purchase_id).update(
            status=PaymentStatus.REQUIRES_PAYMENT_METHOD, last_error=exc.detail[:500])
        raise
    except invalid_request_error() as exc:
        logger.warning("payments: Stripe refused paying purchase %s: %s", purchase_id, exc)
        raise errors.PaymentRefused() from exc
    status = str(field(intent, "status", ""))
    if status in PaymentStatus.values:
        PurchasePayment.objects.filter(pk=purchase_id).exclude(
            status=PaymentStatus.SUCCEEDED).update(status=status, last_error="")
    return status


def purchase_of_intent(*, intent_id: str) -> uuid.UUID | None:
    """The purchase a PaymentIntent pays (webhooks), marked succeeded; None: not one."""
    found = PurchasePayment.objects.filter(intent_id=intent_id).values_list(
        "purchase_id", flat=True).first()
    if found is not None:
        PurchasePayment.objects.filter(pk=found).update(status=PaymentStatus.SUCCEEDED)
    return found


def purchase_payment_owe_refund(*, purchase_id: uuid.UUID) -> bool:
    """Inside the transaction that voids the purchase's gift card: its money must go back,
    all of it. False (nothing owed) unless the payment is recorded as succeeded."""
    pending_work.announce((pending_work.HOLDS, timezone.now() + GRACE_FOR_REFUND))
    return bool(PurchasePayment.objects.filter(
        pk=purchase_id, status=PaymentStatus.SUCCEEDED).update(status=PaymentStatus.REFUND_DUE))


def purchase_payment_send_refund(*, purchase_id: uuid.UUID,
                                 now: dt.datetime | None = None) -> bool:
    """Send an owed refund to Stripe, once: claim it, call Stripe (with an idempotency key:
    a retry after a lost answer is the same refund), record the answer."""
    claimed = PurchasePayment.objects.filter(
        pk=purchase_id, status=PaymentStatus.REFUND_DUE).update(
        status=PaymentStatus.REFUNDING, updated_at=now or timezone.now())
    if not claimed:
        return False
    payment = PurchasePayment.objects.get(pk=purchase_id)
    try:
        refund = call("refunds.create",
                      {"payment_intent": payment.intent_id, "amount": payment.amount_cents,
                       "metadata": {"gift_card_purchase": str(purchase_id)}},
                      {"idempotency_key": _key(purchase_id, "refund")})
    except Exception:
        logger.exception("payments: refund of gift card purchase %s failed; retried by the "
                         "job", purchase_id)
        PurchasePayment.objects.filter(pk=purchase_id, status=PaymentStatus.REFUNDING).update(
            status=PaymentStatus.REFUND_DUE)
        return False
    PurchasePayment.objects.filter(pk=purchase_id, status=PaymentStatus.REFUNDING).update(
        status=PaymentStatus.REFUNDED, refund_id=refund.id,
        refunded_cents=min(int(field(refund, "amount", payment.amount_cents)),
                           payment.amount_cents))
    return True


def purchase_payments_send_owed_refunds(*, now: dt.datetime | None = None,
                                        limit: int = 100) -> int:
    """The per-minute job's share (tickets.holds): send owed purchase refunds, and reclaim
    claims that a crashed sender left."""
    now = now or timezone.now()
    PurchasePayment.objects.filter(status=PaymentStatus.REFUNDING,
                                   updated_at__lt=now - STALE_REFUND_CLAIM).update(
        status=PaymentStatus.REFUND_DUE)
    owed = list(PurchasePayment.objects.filter(status=PaymentStatus.REFUND_DUE)
                .order_by("updated_at").values_list("purchase_id", flat=True)[:limit])
    return sum(purchase_payment_send_refund(purchase_id=p, now=now) for p in owed)
