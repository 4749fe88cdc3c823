"""Order emails: owed with the order's transition, sent after its commit, once per order and kind.

`order_notify` writes an OrderEmail row inside the caller's transaction (so an email is owed
exactly when the transition commits) and, after the commit, hands its id to the task
(notifications/tasks.py: a separate Lambda invocation in production, inline locally).
`order_email_send` claims the row with a conditional UPDATE before calling SES, so a task
delivered twice, a retry and the per-minute job never send it twice. A failed send is
logged with the order id and retried by `emails_retry_failed` (the per-minute job) with a
growing delay; it never fails the purchase.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from project import pending_work
from staff.walk_in import is_walk_in

from . import tasks
from .errors import NotResendable
from .models import EmailKind, EmailRecord, EmailStatus, OrderEmail

__all__ = ["EmailKind", "emails_retry_failed", "order_email_resend", "order_email_send",
           "order_email_written",
           "order_notify"]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
# A claim older than this belongs to a worker that died (the Lambda timeout is 25 s).
STALE_CLAIM = dt.timedelta(minutes=10)
# A queued email whose task has not claimed it by then was never handed over (an invoke
# that failed, a process that died after the commit): the per-minute job sends it.
QUEUED_GRACE = dt.timedelta(minutes=2)


def _to_try_again(now: dt.datetime) -> Q:
    """Failed and past its delay, or claimed by a worker that died."""
    return (Q(status=EmailStatus.FAILED, next_attempt_at__lte=now)
            | Q(status=EmailStatus.SENDING, claimed_at__lt=now - STALE_CLAIM))


def owed_and_due(now: dt.datetime) -> Q:
    """An email row (order or gift card) that the per-minute job sends again: failed and
    past its delay, queued but never claimed, or claimed by a worker that died."""
    grace = dt.timedelta(0) if settings.EMAIL_DISPATCH == "defer" else QUEUED_GRACE
    return Q(status=EmailStatus.QUEUED, created_at__lte=now - grace) | _to_try_again(now)


def email_claim(model: type[EmailRecord], *, email_id: uuid.UUID, now: dt.datetime) -> bool:
    """Claim an owed email (order or gift card) for this worker (→ sending), unless it is
    sent, being sent by a live worker, waiting for its retry, or unknown: one conditional
    UPDATE, so that however many invocations carry it, one sends it."""
    claimable = Q(status=EmailStatus.QUEUED) | _to_try_again(now)
    return bool(model.objects.filter(claimable, pk=email_id).update(
        status=EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1))


SENT_ONLY_WHILE = {  # kind → the order status its content assumes
    EmailKind.CONFIRMATION: "confirmed",
    EmailKind.RESEND: "confirmed",
    EmailKind.EXPIRY: "expired",
    EmailKind.OFFER: "pending",
    EmailKind.OFFER_LAPSED: "expired",
}


def order_notify(*, order_id: uuid.UUID, kind: str) -> None:
    """After the current transaction commits, send the order's email of `kind`, once."""
    email = OrderEmail(order_id=order_id, kind=kind, created_at=timezone.now())
    pending_work.announce((pending_work.HOLDS, email.created_at + QUEUED_GRACE))
    # ON CONFLICT DO NOTHING: a second notice of the same (order, kind) finds the row taken
    # and changes nothing, without aborting the caller's transaction.
    OrderEmail.objects.bulk_create([email], ignore_conflicts=True)
    transaction.on_commit(partial(tasks.dispatch, email_id=email.pk), robust=True)


def order_email_written(*, email_id: uuid.UUID) -> None:
    """The caller's statement wrote the email's row (the reservation writes a free order's
    confirmation with the order): hand it over once that commits."""
    transaction.on_commit(partial(tasks.dispatch, email_id=email_id), robust=True)


def order_email_resend(*, order_id: uuid.UUID, requested_by: str) -> OrderEmail:
    """Staff send a confirmed order's tickets again (a new record, so each resend is listed)."""
    from tickets.models import Order, OrderStatus

    if not Order.objects.filter(pk=order_id, status=OrderStatus.CONFIRMED).exists():
        raise NotResendable()
    pending_work.announce((pending_work.HOLDS, timezone.now() + QUEUED_GRACE))
    email = OrderEmail.objects.create(order_id=order_id, kind=EmailKind.RESEND,
                                      created_at=timezone.now(),
                                      requested_by=requested_by[:150])
    transaction.on_commit(partial(tasks.dispatch, email_id=email.pk), robust=True)
    return email


def order_email_send(*, email_id: uuid.UUID, now: dt.datetime | None = None) -> str:
    """Send one owed email if nobody else is: "sent", "failed", "skipped" or "not due"."""
    now = now or timezone.now()
    if not email_claim(OrderEmail, email_id=email_id, now=now):
        return "not due"  # sent, being sent, waiting for its retry, or unknown
    email = (OrderEmail.objects.select_related(
        "order__customer", "order__performance__show", "order__performance__venue",
        "order__payment").get(pk=email_id))
    order = email.order
    mine = OrderEmail.objects.filter(pk=email_id, status=EmailStatus.SENDING)

    expected = SENT_ONLY_WHILE.get(email.kind)
    if expected and order.status != expected:
        mine.update(status=EmailStatus.SKIPPED, last_error=(
            f"not sent: the order is {order.status} now")[:500])
        return "skipped"

    recipient = order.customer.email
    if not recipient and is_walk_in(order.customer):  # sold at the counter with no address
        mine.update(status=EmailStatus.SKIPPED,
                    last_error="not sent: a walk-in customer has no email address")
        return "skipped"
    try:
        if not recipient:
            raise ValueError("the customer has no email address yet")
        from .messages import order_message

        message = order_message(email=email, recipient=recipient, now=now)
        message.send()
    except Exception as exc:
        retry = email.attempts < MAX_ATTEMPTS
        logger.exception("notifications: order %s: %s email not sent (attempt %d, %s)",
                         order.pk, email.kind, email.attempts,
                         "will retry" if retry else "given up")
        mine.update(status=EmailStatus.FAILED, recipient=recipient,
                    last_error=f"{type(exc).__name__}: {exc}"[:500],
                    next_attempt_at=now + _backoff(email.attempts) if retry else None)
        return "failed"
    mine.update(status=EmailStatus.SENT, sent_at=now, recipient=recipient, last_error="",
                next_attempt_at=None, message_id=message.sent_id()[:255])
    logger.info("notifications: order %s: %s email sent to the customer", order.pk,
                email.kind)
    return "sent"


def emails_retry_failed(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """The per-minute job: hand over again every email that is owed and due (failed and
    past its delay, queued but never claimed, claimed by a worker that died). Never raises."""
    now = now or timezone.now()
    try:
        due = list(OrderEmail.objects.filter(owed_and_due(now))
                   .order_by("created_at").values_list("pk", flat=True)[:limit])
    except Exception:
        logger.exception("notifications: could not read the emails owed")
        return 0
    for email_id in due:
        tasks.dispatch(email_id=email_id, now=now, by_job=True)
    return len(due)


def _backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4 … minutes, at most an hour: eight attempts span about two hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


