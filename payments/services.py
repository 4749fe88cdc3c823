"""Writes of the payments app: start, pay, check, cancel and refund an order's payment.

Stripe is called with no database lock held: each function either talks to Stripe and
then records the answer with a short conditional UPDATE, or claims a step with a
conditional UPDATE first (a refund: refund_due → refunding) so that it is sent once.
The order's own moves (confirm, expire, cancel) are the tickets app's; it calls these.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from project import pending_work

from . import errors
from .models import Payment, PaymentStatus, StripeCustomer
from .stripe_api import call, field, invalid_request_error

logger = logging.getLogger(__name__)

# Statuses an intent's own news may overwrite; the rest are ours and final (or a refund).
OPEN_STATUSES = [PaymentStatus.REQUIRES_PAYMENT_METHOD, PaymentStatus.REQUIRES_ACTION,
                 PaymentStatus.PROCESSING]
# A refund claimed this long ago without an answer (a crashed worker) is claimed again;
# Stripe's idempotency key (per order) makes the second request return the first refund.
STALE_REFUND_CLAIM = dt.timedelta(minutes=10)
# The refund is sent after commit; the per-minute job looks after it from then on.
GRACE_FOR_REFUND = dt.timedelta(minutes=1)


def idempotency_key(order_id: uuid.UUID, step: str) -> str:
    """Stripe's idempotency key for one step of one order: a retry repeats, never doubles."""
    return f"marquee-order-{order_id}-{step}"


def payment_start(*, order_id: uuid.UUID, user: AbstractBaseUser, amount_cents: int,
                  currency: str, now: dt.datetime | None = None) -> tuple[Payment, bool]:
    """The order's payment: the PaymentIntent and the SetupIntent that collect the card.

    Idempotent: an order has one payment however often (or in parallel) this is called.
    The stored row is returned when there is one; otherwise the objects are created with
    Stripe idempotency keys derived from the order id (a retry, or a parallel first call,
    gets the same objects back from Stripe) and stored once. Returns (payment, whether
    this call stored it). Raises PaymentUnavailable when Stripe cannot be reached or its
    budget is spent for longer than the caller waits (the hold stays: try again).
    """
    known = Payment.objects.filter(order_id=order_id).first()
    if known is not None:
        return known, False
    now = now or timezone.now()
    customer_id = _customer_for(user)
    metadata = {"order_id": str(order_id)}
    intent = call("payment_intents.create",
                  {"amount": amount_cents, "currency": currency.lower(),
                   "customer": customer_id, "payment_method_types": ["card"],
                   "metadata": metadata},
                  {"idempotency_key": idempotency_key(order_id, "intent")})
    setup = call("setup_intents.create",
                 {"customer": customer_id, "usage": "on_session",
                  "payment_method_types": ["card"], "metadata": metadata},
                 {"idempotency_key": idempotency_key(order_id, "setup")})
    with connection.cursor() as cursor:  # one statement: a parallel first call stores it
        cursor.execute(_STORE_PAYMENT, [order_id, intent.id, setup.id, intent.client_secret,
                                        setup.client_secret, amount_cents, currency,
                                        PaymentStatus.REQUIRES_PAYMENT_METHOD, now, now])
        stored = cursor.rowcount == 1
    return Payment.objects.get(order_id=order_id), stored


_STORE_PAYMENT = (
    f"INSERT INTO {Payment._meta.db_table} (order_id, intent_id, setup_intent_id, "  # noqa: S608  # nosec B608 — our table
    "client_secret, setup_client_secret, amount_cents, currency, status, last_error, "
    "refunded_cents, refund_id, refund_reason, created_at, updated_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', 0, '', '', %s, %s) "
    "ON CONFLICT DO NOTHING")


def payment_pay(*, order_id: uuid.UUID, payment_method: str) -> str:
    """Attach the card set up in the browser to the intent and confirm it on the server.

    Returns the intent's status (succeeded, requires_action, processing, …). A decline
    is recorded on the payment and raised as CardDeclined: the hold stays.
    """
    payment = Payment.objects.select_related("order__customer").get(pk=order_id)
    try:
        call("payment_intents.update", payment.intent_id, {"payment_method": payment_method})
        intent = call("payment_intents.confirm", payment.intent_id, None,
                      {"idempotency_key": idempotency_key(order_id, f"confirm-{payment_method}")})
    except errors.CardDeclined as exc:
        _record(order_id, PaymentStatus.REQUIRES_PAYMENT_METHOD, last_error=exc.detail)
        _renew_setup(payment, after=payment_method)
        raise
    except invalid_request_error() as exc:  # e.g. an unknown card, or an intent not payable
        logger.warning("payments: Stripe refused paying order %s: %s", order_id, exc)
        _renew_setup(payment, after=payment_method)
        raise errors.PaymentRefused() from exc
    status = _record_intent(order_id, intent)
    if status != "succeeded":  # 3-D Secure may still fail: have the next card's setup ready
        _renew_setup(payment, after=payment_method)
    return status


def _renew_setup(payment: Payment, *, after: str) -> None:
    """A fresh SetupIntent for the customer's next card: the last one has succeeded (the
    card it saved was just used), and Stripe will not confirm a succeeded one again."""
    try:
        setup = call("setup_intents.create",
                     {"customer": _customer_for(payment.order.customer), "usage": "on_session",
                      "payment_method_types": ["card"],
                      "metadata": {"order_id": str(payment.order_id)}},
                     {"idempotency_key": idempotency_key(payment.order_id, f"setup-{after}")})
    except (errors.PaymentsError, invalid_request_error()):
        logger.warning("payments: no new SetupIntent for order %s", payment.order_id)
        return
    Payment.objects.filter(pk=payment.pk).update(setup_intent_id=setup.id,
                                                 setup_client_secret=setup.client_secret)


def payment_check(*, order_id: uuid.UUID, now: dt.datetime | None = None) -> str | None:
    """Ask Stripe for the intent's status, at most every PAYMENT_RECONCILE_SECONDS.

    For reconciliation (a lost or late webhook). Returns the status, or None when it was
    checked recently (by this or another reader) or Stripe cannot be reached.
    """
    now = now or timezone.now()
    recently = now - dt.timedelta(seconds=settings.PAYMENT_RECONCILE_SECONDS)
    claimed = Payment.objects.filter(
        Q(checked_at__isnull=True) | Q(checked_at__lt=recently), pk=order_id,
        status__in=OPEN_STATUSES).update(checked_at=now)
    if not claimed:
        return None
    payment = Payment.objects.only("intent_id").get(pk=order_id)
    try:
        intent = call("payment_intents.retrieve", payment.intent_id)
    except (errors.PaymentUnavailable, invalid_request_error()) as exc:
        logger.warning("payments: could not check order %s: %s", order_id, exc)
        return None
    return _record_intent(order_id, intent)


def payment_cancel_intent(*, order_id: uuid.UUID) -> str | None:
    """Cancel the intent of an order whose hold ends unpaid; return its final status.

    'succeeded' means the customer paid after all (the caller confirms instead); None
    means Stripe could not be reached (the hold ends anyway: a late payment is either
    given its seats again or refunded, tickets.services.order_payment_succeeded).
    """
    payment = Payment.objects.only("intent_id").filter(pk=order_id).first()
    if payment is None:
        return None
    try:
        try:
            intent = call("payment_intents.cancel", payment.intent_id)
        except invalid_request_error():  # not cancellable: paid, processing or cancelled
            intent = call("payment_intents.retrieve", payment.intent_id)
    except (errors.PaymentUnavailable, invalid_request_error()) as exc:
        logger.warning("payments: could not cancel the intent of order %s: %s", order_id, exc)
        return None
    return _record_intent(order_id, intent)


def payment_mark_paid(*, order_id: uuid.UUID) -> None:
    """Inside the order's confirming transaction: the money is ours and the seats too."""
    Payment.objects.filter(pk=order_id).exclude(
        status__in=[PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDING,
                    PaymentStatus.REFUNDED],
    ).update(status=PaymentStatus.SUCCEEDED, last_error="")


def payment_owe_refund(*, order_id: uuid.UUID, reason: str,
                       amount_cents: int | None = None) -> bool:
    """Inside the transaction that releases (or never gave) the seats of a paid order:
    record that its money must go back — all of it, or `amount_cents` (a cancellation fee
    kept; 0 owes nothing). The refund is sent after commit (payment_send_refund) and
    retried by the per-minute job until Stripe takes it."""
    if amount_cents == 0:
        return False
    pending_work.announce((pending_work.HOLDS, timezone.now() + GRACE_FOR_REFUND))
    return bool(Payment.objects.filter(
        pk=order_id,
        status__in=[*OPEN_STATUSES, PaymentStatus.SUCCEEDED, PaymentStatus.CANCELED],
    ).update(status=PaymentStatus.REFUND_DUE, refund_reason=reason[:200],
             refund_due_cents=amount_cents))


def payment_send_refund(*, order_id: uuid.UUID, now: dt.datetime | None = None) -> bool:
    """Send an owed refund to Stripe, once: claim it, call Stripe, record the answer."""
    now = now or timezone.now()
    claimed = Payment.objects.filter(pk=order_id, status=PaymentStatus.REFUND_DUE).update(
        status=PaymentStatus.REFUNDING, updated_at=now)
    if not claimed:
        return False
    payment = Payment.objects.get(pk=order_id)
    params = {"payment_intent": payment.intent_id,
              "metadata": {"order_id": str(order_id), "reason": payment.refund_reason}}
    if payment.refund_due_cents is not None:
        params["amount"] = payment.refund_due_cents
    try:
        refund = call("refunds.create", params,
                      {"idempotency_key": idempotency_key(order_id, "refund")})
    except Exception:
        logger.exception("payments: refund of order %s failed; retried by the job", order_id)
        Payment.objects.filter(pk=order_id, status=PaymentStatus.REFUNDING).update(
            status=PaymentStatus.REFUND_DUE)
        return False
    Payment.objects.filter(pk=order_id, status=PaymentStatus.REFUNDING).update(
        status=PaymentStatus.REFUNDED, refund_id=refund.id,
        refunded_cents=min(int(field(refund, "amount", payment.refund_due_cents
                                     or payment.amount_cents)), payment.amount_cents))
    return True


def payments_send_owed_refunds(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """The per-minute job's share: send every owed refund (and reclaim stale claims)."""
    now = now or timezone.now()
    Payment.objects.filter(status=PaymentStatus.REFUNDING,
                           updated_at__lt=now - STALE_REFUND_CLAIM).update(
        status=PaymentStatus.REFUND_DUE)
    owed = (Payment.objects.filter(status=PaymentStatus.REFUND_DUE)
            .order_by("updated_at").values_list("order_id", flat=True)[:limit])
    return sum(payment_send_refund(order_id=order_id, now=now) for order_id in list(owed))


def payment_record_failure(*, intent_id: str, message: str) -> uuid.UUID | None:
    """payment_intent.payment_failed: keep the hold, say why, let them try another card."""
    payment = Payment.objects.only("order_id").filter(intent_id=intent_id).first()
    if payment is None:
        return None
    _record(payment.order_id, PaymentStatus.REQUIRES_PAYMENT_METHOD, last_error=message)
    return payment.order_id


def payment_record_canceled(*, intent_id: str) -> None:
    """payment_intent.canceled: the intent can no longer be paid."""
    Payment.objects.filter(intent_id=intent_id, status__in=OPEN_STATUSES).update(
        status=PaymentStatus.CANCELED)


def payment_record_refund(*, intent_id: str, refunded_cents: int, refund_id: str) -> tuple[
        uuid.UUID | None, bool]:
    """charge.refunded (ours, or one made in Stripe's dashboard): record the amount.

    Returns (order id, whether this refund newly made the payment fully refunded).
    """
    payment = Payment.objects.filter(intent_id=intent_id).first()
    if payment is None:
        return None, False
    refunded = min(refunded_cents, payment.amount_cents)
    with transaction.atomic():
        Payment.objects.filter(pk=payment.pk, refunded_cents__lt=refunded).update(
            refunded_cents=refunded)
        full = refunded >= payment.amount_cents and bool(
            Payment.objects.filter(pk=payment.pk).exclude(status=PaymentStatus.REFUNDED)
            .update(status=PaymentStatus.REFUNDED, refund_id=payment.refund_id or refund_id,
                    refund_reason=payment.refund_reason or "refunded in Stripe"))
    return payment.order_id, full


# user pk → Stripe customer id. A customer id never changes once stored, so each process
# (Lambda instance) reads it at most once per user: a returning buyer costs no query here.
_customer_ids: dict[int, str] = {}
_STORE_CUSTOMER = (f"INSERT INTO {StripeCustomer._meta.db_table} (user_id, customer_id) "  # noqa: S608  # nosec B608 — our table
                   "VALUES (%s, %s) ON CONFLICT DO NOTHING")


def forget_customers() -> None:
    """Drop the remembered customer ids (tests, whose databases are rolled back)."""
    _customer_ids.clear()


def _customer_for(user: AbstractBaseUser) -> str:
    cached = _customer_ids.get(user.pk)
    if cached is not None:
        return cached
    known = StripeCustomer.objects.filter(user=user).values_list("customer_id", flat=True)
    if known:
        _customer_ids[user.pk] = known[0]
        return known[0]
    customer = call("customers.create",
                    {"email": user.email or None,
                     "metadata": {"marquee_user": user.get_username()}},
                    {"idempotency_key": f"marquee-user-{user.pk}-customer"})
    # One statement, no savepoint: if a parallel first purchase stored its customer first,
    # this one keeps the customer it just created for its own intents (Stripe's idempotency
    # key makes it the same one there) and later purchases use the stored one.
    with connection.cursor() as cursor:  # bulk_create would add BEGIN and COMMIT
        cursor.execute(_STORE_CUSTOMER, [user.pk, customer.id])
    _customer_ids[user.pk] = customer.id
    return customer.id


def _record_intent(order_id: uuid.UUID, intent: Any) -> str:
    status = str(field(intent, "status", ""))
    error = field(intent, "last_payment_error") or {}
    message = str(field(error, "message", "")) if status == "requires_payment_method" else ""
    if status in PaymentStatus.values and status != PaymentStatus.SUCCEEDED:
        _record(order_id, status, last_error=message)
    return status


def _record(order_id: uuid.UUID, status: str, *, last_error: str = "") -> None:
    """An intent's news, unless the payment already reached a status of our own."""
    Payment.objects.filter(pk=order_id, status__in=[*OPEN_STATUSES, PaymentStatus.CANCELED]
                           ).update(status=status, last_error=last_error[:500])
