"""When the scheduled jobs next have work, as the database knows it (project/pending_work.py).

Read by a job that has just done its work, so that the state table says when to open the
database again: the earliest lapsing hold or offer, and "soon" while a refund or an email
is owed (retried with their own delays, which their services keep), or while a cancelled
performance still has orders.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Min

from notifications.models import EmailStatus, GiftCardEmail, OrderEmail
from payments.models import Payment, PaymentStatus, PurchasePayment

from .idempotency import RETENTION
from .models import IdempotencyRecord, Order, OrderStatus, PerformanceCancellation

SOON = dt.timedelta(minutes=1)


def holds_next_due(*, now: dt.datetime) -> dt.datetime | None:
    """The next run of release_expired_holds with something to do, or None."""
    candidates = []
    hold = Order.objects.filter(status=OrderStatus.PENDING).aggregate(
        due=Min("expires_at"))["due"]
    if hold is not None:
        candidates.append(hold)
    refunding = [PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDING]
    if Payment.objects.filter(status__in=refunding).exists() or \
            PurchasePayment.objects.filter(status__in=refunding).exists():  # gift cards
        candidates.append(now + SOON)
    sending = [EmailStatus.QUEUED, EmailStatus.SENDING]
    if OrderEmail.objects.filter(status__in=sending).exists() or \
            GiftCardEmail.objects.filter(status__in=sending).exists():
        candidates.append(now + SOON)
    if PerformanceCancellation.objects.filter(finished_at__isnull=True).exists():
        candidates.append(now + SOON)  # a cancelled performance's orders are being worked
    retry = OrderEmail.objects.filter(status=EmailStatus.FAILED).aggregate(
        due=Min("next_attempt_at"))["due"]  # none: given up
    if retry is not None:
        candidates.append(retry)
    retry = GiftCardEmail.objects.filter(status=EmailStatus.FAILED).aggregate(
        due=Min("next_attempt_at"))["due"]
    if retry is not None:
        candidates.append(retry)
    return min(candidates) if candidates else None


def purge_next_due(*, now: dt.datetime) -> dt.datetime | None:
    """The next run of purge_idempotency_keys with a key to delete, or None."""
    oldest = IdempotencyRecord.objects.aggregate(oldest=Min("created_at"))["oldest"]
    return oldest + RETENTION if oldest is not None else None
