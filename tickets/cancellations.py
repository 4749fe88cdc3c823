"""Cancelling a whole performance: one staff decision, worked through in batches.

`performance_cancel` records the decision and stops sales at once (the performance is
cancelled, its waiting list closed). The per-minute job (`cancellations_work`) then
cancels its orders a batch at a time with `order_cancel` as staff would — a full refund
of every paid order, every hold released — so thousands of orders fit Lambda's limits and
a crash or a Stripe outage only pauses it: each order's cancellation is a conditional
write (once), each refund is owed in that same transaction and sent until Stripe takes
it (payments.payment_send_refund, retried by the job). Each customer gets one email.
"""

from __future__ import annotations

import datetime as dt
import logging
import time

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from notifications.models import EmailKind, OrderEmail
from payments.models import PaymentStatus
from project import pending_work
from shows import cache as shows_cache
from shows.models import Performance

from . import errors
from .models import (
    ACTIVE_WAITLIST,
    Order,
    OrderStatus,
    PerformanceCancellation,
    WaitlistEntry,
    WaitlistStatus,
)

logger = logging.getLogger(__name__)
ACTIVE = [OrderStatus.PENDING, OrderStatus.CONFIRMED]


def performance_cancel(*, performance_id: int, by: AbstractBaseUser | None = None,
                       reason: str = "", now: dt.datetime | None = None
                       ) -> PerformanceCancellation:
    """Record the decision (once) and stop sales now; the orders follow in batches."""
    now = now or timezone.now()
    with transaction.atomic():
        performance = (Performance.objects.select_for_update().select_related("show")
                       .filter(pk=performance_id).first())
        if performance is None:
            raise errors.PerformanceNotFound()
        Performance.objects.filter(pk=performance_id).update(cancelled=True,
                                                             waitlist_enabled=False)
        # Waiting entries are closed; offers are held orders, cancelled with the others.
        WaitlistEntry.objects.filter(performance_id=performance_id,
                                     status=WaitlistStatus.WAITING).update(
            status=WaitlistStatus.REMOVED)
        cancellation, _ = PerformanceCancellation.objects.get_or_create(
            performance_id=performance_id,
            defaults={"requested_by": by, "requested_at": now,
                      "reason": reason or "the performance is cancelled"})
        shows_cache.invalidate_seats(slug=performance.show.slug,
                                     performance_id=performance_id)
        # The per-minute job has work from now on (it keeps the database awake for it).
        pending_work.announce((pending_work.HOLDS, now))
    return cancellation


def cancellations_pending() -> bool:
    return PerformanceCancellation.objects.filter(finished_at__isnull=True).exists()


def cancellations_work(*, now: dt.datetime | None = None, limit: int = 200,
                       seconds: float = 60.0) -> int:
    """The per-minute job's share: cancel up to `limit` orders of cancelled performances
    (within about `seconds`); mark a cancellation finished when none is left. Returns how
    many orders it cancelled."""
    from .services import order_cancel

    now = now or timezone.now()
    deadline = time.monotonic() + seconds
    done = 0
    for cancellation in PerformanceCancellation.objects.filter(finished_at__isnull=True):
        orders = list(Order.objects.filter(performance_id=cancellation.performance_id,
                                           status__in=ACTIVE)
                      .order_by("created_at", "id").values_list("pk", "customer_id")
                      [:limit - done])
        for order_id, customer_id in orders:
            try:
                order_cancel(order_id=order_id, user=None, reason=cancellation.reason,
                             email=_email_for(cancellation.performance_id, customer_id),
                             now=now)
                done += 1
            except Exception:  # this order stays active: the next run tries it again
                logger.exception("tickets: cancelling order %s of performance %s failed",
                                 order_id, cancellation.performance_id)
            if time.monotonic() > deadline:
                return done
        if not Order.objects.filter(performance_id=cancellation.performance_id,
                                    status__in=ACTIVE).exists():
            PerformanceCancellation.objects.filter(pk=cancellation.pk,
                                                   finished_at__isnull=True).update(
                finished_at=now)
        if done >= limit:
            break
    return done


def _email_for(performance_id: int, customer_id: int) -> EmailKind | None:
    """The customer's one email about it: on the first of their orders cancelled."""
    told = OrderEmail.objects.filter(order__performance_id=performance_id,
                                     order__customer_id=customer_id,
                                     kind=EmailKind.PERFORMANCE_CANCELLED).exists()
    return None if told else EmailKind.PERFORMANCE_CANCELLED


def cancellation_progress(*, performance_id: int) -> dict[str, int] | None:
    """For the dashboard: orders left, cancelled; refunds made, failing and retrying."""
    if not PerformanceCancellation.objects.filter(performance_id=performance_id).exists():
        return None
    orders = Order.objects.filter(performance_id=performance_id)
    counts = orders.aggregate(
        left=Count("pk", filter=Q(status__in=ACTIVE)),
        cancelled=Count("pk", filter=Q(status=OrderStatus.CANCELLED)),
        refunded=Count("pk", filter=Q(payment__status=PaymentStatus.REFUNDED)),
        retrying=Count("pk", filter=Q(payment__status__in=[PaymentStatus.REFUND_DUE,
                                                           PaymentStatus.REFUNDING])))
    counts["waiting"] = WaitlistEntry.objects.filter(performance_id=performance_id,
                                                     status__in=ACTIVE_WAITLIST).count()
    return counts
