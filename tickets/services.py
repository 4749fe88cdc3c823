"""Writes of the tickets app: reserve, cancel, check in. One transaction each.

Lock order, the same in every service so that no two can deadlock: order → performance →
seat holding. A reservation writes in one statement (reservation_sql.py), so the hot
performance row is locked only while that statement runs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from shows import cache as shows_cache
from shows.models import Performance, PerformanceStatus
from shows.selectors import performance_for_sale

from . import errors
from .idempotency import idempotency_exists, replay_or_reused
from .models import MAX_SEATS_PER_PERSON, Order, OrderStatus, SeatHolding, Ticket
from .reservation_sql import Failure, write_reservation


@dataclass(frozen=True)
class Idempotency:
    """What the reservation needs to make a request safe to retry."""

    key: str
    fingerprint: str
    # Renders the response (status, body) of a successful reservation; it is stored with
    # the key in the same transaction as the order and replayed for a retry.
    render: Callable[[Order, list[Ticket]], tuple[int, Any]]


def order_reserve(
    *,
    user: AbstractBaseUser,
    performance_id: int,
    quantity: int,
    idempotency: Idempotency | None = None,
    now: dt.datetime | None = None,
) -> Order:
    """Reserve `quantity` seats and issue one ticket per seat, or raise a TicketsError.

    With `idempotency`, a retry gets the stored first response (raises Replay).
    """
    now = now or timezone.now()
    if not 1 <= quantity <= MAX_SEATS_PER_PERSON:
        raise errors.InvalidQuantity()
    performance = performance_for_sale(performance_id=performance_id)
    if performance is None:
        raise errors.PerformanceNotFound()
    if idempotency is None:
        # Fail fast, before any lock. Not with a key: a retry must get its replay even when
        # the first request took the last seats; the conditional UPDATE decides then.
        _raise_unless_on_sale(performance, quantity, now)
    order = Order(id=uuid.uuid4(), customer=user, performance=performance, quantity=quantity,
                  total_cents=performance.price_cents * quantity,
                  currency=performance.currency, status=OrderStatus.CONFIRMED,
                  created_at=now, updated_at=now)
    # Built whole before anything is written, so that its response can be rendered (and
    # stored with the idempotency key) without reading it back.
    tickets = [Ticket(order=order) for _ in range(quantity)]

    response = idempotency.render(order, tickets) if idempotency else None
    key = (idempotency.key, idempotency.fingerprint, response) if idempotency else None

    failure = write_reservation(order=order, tickets=tickets, now=now, key=key)
    if failure is Failure.LIMIT:
        raise errors.LimitExceeded()
    if failure is Failure.BUSY:
        raise errors.IdempotencyInProgress() if idempotency else errors.Busy()
    if failure is Failure.KEY_TAKEN or (failure is Failure.NOT_SOLD and idempotency
                                        and idempotency_exists(user=user, key=idempotency.key)):
        # A retry: even when the first request took the last seats, it gets its replay.
        raise replay_or_reused(user=user, key=idempotency.key,
                               fingerprint=idempotency.fingerprint)
    if failure is Failure.NOT_SOLD:
        raise _why_not_sold(performance.pk, quantity, performance.price_cents, now)
    shows_cache.invalidate_seats(slug=performance.show.slug, performance_id=performance.pk)
    return order


def order_cancel(*, user: AbstractBaseUser, order_id: uuid.UUID,
                 now: dt.datetime | None = None) -> Order:
    """Cancel a confirmed order before its performance starts; release its seats once."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        order = (Order.objects.select_related("performance__show")
                 .filter(pk=order_id, customer=user).first())
        if order is None:
            raise errors.OrderNotFound()
        if order.status == OrderStatus.CANCELLED:
            return order
        if order.performance.starts_at <= now:
            raise errors.SalesClosed()
        # Only one of several parallel cancels flips the status; only it releases seats.
        flipped = Order.objects.filter(pk=order.pk, status=OrderStatus.CONFIRMED).update(
            status=OrderStatus.CANCELLED, cancelled_at=now, updated_at=now)
        if flipped:
            Performance.objects.filter(pk=order.performance_id).update(
                seats_sold=F("seats_sold") - order.quantity)
            SeatHolding.objects.filter(customer=user, performance_id=order.performance_id
                                       ).update(seats=F("seats") - order.quantity)
            shows_cache.invalidate_seats(slug=order.performance.show.slug,
                                         performance_id=order.performance_id)
    order.refresh_from_db(fields=["status", "cancelled_at", "updated_at"])
    return order


def ticket_check_in(*, code: str, now: dt.datetime | None = None) -> Ticket:
    """Mark a ticket as used at the door. A second check-in is refused, never repeated."""
    now = now or timezone.now()
    code = code.strip().upper()
    with transaction.atomic(durable=True):
        updated = Ticket.objects.filter(
            code=code, checked_in_at__isnull=True,
            order__status=OrderStatus.CONFIRMED,
        ).update(checked_in_at=now)
        ticket = Ticket.objects.select_related("order").filter(code=code).first()
    if ticket is None:
        raise errors.TicketNotFound()
    if not updated:
        if ticket.order.status == OrderStatus.CANCELLED:
            raise errors.TicketCancelled()
        raise errors.AlreadyCheckedIn(
            f"Ticket {ticket.code} was already checked in at "
            f"{timezone.localtime(ticket.checked_in_at):%Y-%m-%d %H:%M}.")
    return ticket


def _raise_unless_on_sale(performance: Performance, quantity: int, now: dt.datetime) -> None:
    if performance.status(now) in (PerformanceStatus.CANCELLED, PerformanceStatus.SALES_CLOSED):
        raise errors.SalesClosed()
    if performance.seats_left < quantity:
        raise errors.SoldOut(seats_left=performance.seats_left)


def _why_not_sold(performance_id: int, quantity: int, price_cents: int,
                  now: dt.datetime) -> errors.TicketsError:
    performance = Performance.objects.select_related("show").filter(pk=performance_id).first()
    if performance is None:
        return errors.PerformanceNotFound()
    try:
        _raise_unless_on_sale(performance, quantity, now)
    except errors.TicketsError as exc:
        return exc
    if performance.price_cents != price_cents:
        return errors.PriceChanged()
    return errors.SoldOut(seats_left=performance.seats_left)

