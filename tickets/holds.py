"""Services for the life of a held order: confirmed by payment, expired, reconciled.

A pending order holds its seats (they count as sold) until `expires_at`. Each move out
of `pending` locks the order row first (lock order: order → performance → holding, as
in services.py) and is a conditional UPDATE, so it happens once however many webhooks,
readers and expiry jobs race for it. Stripe is called only with no lock held.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from notifications.giftcards import gift_card_emails_retry_failed
from notifications.services import EmailKind, emails_retry_failed, order_notify
from payments import services as payments
from payments.errors import PaymentUnavailable
from payments.purchases import purchase_payments_send_owed_refunds
from payments.stripe_api import patience

from . import errors
from .lines import tickets_for
from .models import Order, OrderStatus, Ticket, WaitlistStatus
from .reservation_sql import take_seats_again
from .seating import seats_of_order
from .waitlist import offer_ended, seats_released

logger = logging.getLogger(__name__)

LATE_PAYMENT_NO_SEATS = "paid after the hold lapsed; the seats were no longer available"
PAID_AFTER_CANCEL = "paid after the order was cancelled"


def orders_locked() -> QuerySet[Order]:
    """Orders whose row a transaction locks as it reads them (the first lock of the lock
    order), with their performance and show."""
    return Order.objects.select_for_update(of=("self",)).select_related("performance__show")


def order_payment_succeeded(*, order_id: uuid.UUID, now: dt.datetime | None = None) -> Order:
    """The order's payment went through: confirm it and issue its tickets, once.

    If its hold had lapsed, take the seats again when they are still free; if not (or
    the order was cancelled meanwhile), refund at once: never oversell, never keep money
    without a ticket.
    """
    now = now or timezone.now()
    with transaction.atomic():
        order = orders_locked().get(pk=order_id)
        if order.status == OrderStatus.CONFIRMED:
            return order
        if order.status == OrderStatus.PENDING or (
                order.status == OrderStatus.EXPIRED and take_seats_again(order=order, now=now)):
            _confirm(order, now)
            payments.payment_mark_paid(order_id=order.pk)
        else:
            reason = PAID_AFTER_CANCEL if order.status == OrderStatus.CANCELLED \
                else LATE_PAYMENT_NO_SEATS
            if payments.payment_owe_refund(order_id=order.pk, reason=reason):
                logger.warning("tickets: order %s %s: refunding", order_id, reason)
                order_notify(order_id=order.pk, kind=EmailKind.REFUND)
                # Sent once the refund is on record (a webhook's transaction may enclose
                # this one); if Stripe fails then, the per-minute job sends it.
                transaction.on_commit(partial(payments.payment_send_refund,
                                              order_id=order.pk, now=now))
    return order


def order_expire(*, order_id: uuid.UUID, now: dt.datetime | None = None) -> bool:
    """End a lapsed hold: cancel its PaymentIntent, release its seats. True if this call
    released them (False: not lapsed, already ended, or paid after all → confirmed)."""
    now = now or timezone.now()
    intent_status = payments.payment_cancel_intent(order_id=order_id)
    if intent_status == "succeeded":
        order_payment_succeeded(order_id=order_id, now=now)
        return False
    if intent_status == "processing":  # the bank is deciding: look again next minute
        return False
    with transaction.atomic():
        order = orders_locked().filter(pk=order_id).first()
        if order is None or order.status != OrderStatus.PENDING or order.expires_at > now:
            return False
        Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
            status=OrderStatus.EXPIRED, updated_at=now)
        offer = offer_ended(order=order, outcome=WaitlistStatus.LAPSED)
        seats_released(order=order, now=now)
        order_notify(order_id=order.pk,
                     kind=EmailKind.OFFER_LAPSED if offer else EmailKind.EXPIRY)
    return True


def orders_release_expired(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """The per-minute job: end every lapsed hold (oldest first) and send owed refunds.

    Safe to run in parallel with itself: each hold is released by one run only.
    """
    now = now or timezone.now()
    lapsed = list(Order.objects.filter(status=OrderStatus.PENDING, expires_at__lte=now)
                  .order_by("expires_at").values_list("id", flat=True)[:limit])
    released = 0
    for order_id in lapsed:
        try:
            released += order_expire(order_id=order_id, now=now)
        except Exception:  # one bad order must not stop the others; it is retried
            logger.exception("tickets: could not expire order %s", order_id)
    payments.payments_send_owed_refunds(now=now)
    purchase_payments_send_owed_refunds(now=now)  # gift cards bought online, refunded
    emails_retry_failed(now=now)
    gift_card_emails_retry_failed(now=now)
    return released


def order_reconcile(*, order: Order, now: dt.datetime | None = None) -> bool:
    """For a pending order being read: end it if its hold lapsed, or ask Stripe (at most
    every few seconds) whether it was paid — webhooks get lost or arrive late. True if
    the order may have changed (read it again)."""
    now = now or timezone.now()
    if order.status != OrderStatus.PENDING:
        return False
    if order.expires_at <= now:
        try:
            order_expire(order_id=order.pk, now=now)
        except PaymentUnavailable:
            return False
        return True
    if order.due_cents and not hasattr(order, "payment"):  # not at the payment step yet
        return False
    status = payments.payment_check(order_id=order.pk, now=now)
    if status == "succeeded":
        order_payment_succeeded(order_id=order.pk, now=now)
    return status is not None


def order_payment_prepare(*, user: AbstractBaseUser, order_id: uuid.UUID,
                          now: dt.datetime | None = None) -> Order:
    """The payment step: the customer's pending order, with its Stripe payment made now
    if it has none yet. Idempotent: a reload, a retry or a parallel call never makes a
    second one (payments.payment_start). Only holds that reach this step cost Stripe calls.

    The calls wait for Stripe's shared budget (at most until the hold ends, or
    STRIPE_MAX_WAIT_SECONDS); the time the customer was kept waiting is added to the
    hold's expiry once (by the call that stored the payment), at most
    HOLD_EXTENSION_MAX_SECONDS. Raises HoldExpired for an ended hold, PaymentUnavailable
    when Stripe could not be reached in time (the hold stands: try again). A hold that
    ended while its payment was being made gets that PaymentIntent cancelled at Stripe
    (it could never be paid) and HoldExpired too.
    """
    now = now or timezone.now()
    order = (Order.objects.select_related("customer", "payment")
             .filter(pk=order_id, customer=user).first())
    if order is None:
        raise errors.OrderNotFound()
    if order.status == OrderStatus.PENDING and order.expires_at <= now:
        order_expire(order_id=order.pk, now=now)
        raise errors.HoldExpired()
    if order.status in (OrderStatus.EXPIRED, OrderStatus.CANCELLED):
        raise errors.HoldExpired()
    if order.status == OrderStatus.PENDING and order.due_cents and \
            not hasattr(order, "payment"):
        left = (order.expires_at - now).total_seconds()
        started = time.monotonic()
        with patience(min(left, settings.STRIPE_MAX_WAIT_SECONDS)) as waited:
            _, stored = payments.payment_start(
                order_id=order.pk, user=order.customer, amount_cents=order.due_cents,
                currency=order.currency, now=now)
        if stored and waited.seconds >= 1:
            extra = dt.timedelta(seconds=min(int(waited.seconds + 0.999),
                                             settings.HOLD_EXTENSION_MAX_SECONDS))
            Order.objects.filter(pk=order.pk, status=OrderStatus.PENDING).update(
                expires_at=F("expires_at") + extra, updated_at=now)
        _unless_ended_meanwhile(order, now + dt.timedelta(seconds=time.monotonic() - started))
    return order


def _unless_ended_meanwhile(order: Order, at: dt.datetime) -> None:
    """After the payment step's Stripe calls (`at`: when they returned): if the hold ended
    meanwhile (the per-minute job expired it before its PaymentIntent existed, or it lapsed
    while we waited), cancel that intent at Stripe and raise HoldExpired. A payment that
    went through after all is a late payment (its seats again, or a refund)."""
    status, expires_at = Order.objects.filter(pk=order.pk).values_list(
        "status", "expires_at").get()
    if (status == OrderStatus.PENDING and expires_at > at) or status == OrderStatus.CONFIRMED:
        return
    if status == OrderStatus.PENDING:
        order_expire(order_id=order.pk, now=at)  # cancels the intent, releases the seats
    elif payments.payment_cancel_intent(order_id=order.pk) == "succeeded":
        order_payment_succeeded(order_id=order.pk, now=at)
    if Order.objects.filter(pk=order.pk, status=OrderStatus.CONFIRMED).exists():
        return  # paid after all (confirmed by the calls above)
    logger.info("tickets: order %s: its hold ended during the payment step; intent "
                "cancelled", order.pk)
    raise errors.HoldExpired()


def _confirm(order: Order, now: dt.datetime) -> None:
    Order.objects.filter(pk=order.pk).update(status=OrderStatus.CONFIRMED, confirmed_at=now,
                                             updated_at=now)
    Ticket.objects.bulk_create(tickets_for(order, list(order.lines.all()),
                                           seats_of_order(order=order)))
    offer_ended(order=order, outcome=WaitlistStatus.ACCEPTED)
    order.status, order.confirmed_at = OrderStatus.CONFIRMED, now
    order_notify(order_id=order.pk, kind=EmailKind.CONFIRMATION)
