"""Writes of the tickets app: reserve, cancel, check in. One transaction each.

Lock order, the same in every service so that no two can deadlock:
idempotency key → order → seat holding → performance. The performance row is the hot
one, so it is touched last and held only for its own UPDATE and the COMMIT.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from shows import cache as shows_cache
from shows.models import Performance, PerformanceStatus

from . import errors
from .models import MAX_SEATS_PER_PERSON, Order, OrderStatus, SeatHolding, Ticket


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
    """Reserve `quantity` seats and issue one ticket per seat, or raise a TicketsError."""
    from .idempotency import idempotency_claim

    now = now or timezone.now()
    if not 1 <= quantity <= MAX_SEATS_PER_PERSON:
        raise errors.InvalidQuantity()
    performance = (Performance.objects.select_related("show", "venue")
                   .filter(pk=performance_id).first())
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

    with transaction.atomic(durable=True):
        if idempotency is not None:
            idempotency_claim(user=user, idempotency=idempotency,
                              response=idempotency.render(order, tickets), now=now)
        _holding_add(user=user, performance_id=performance.pk, seats=quantity)
        order.save(force_insert=True)
        Ticket.objects.bulk_create(tickets)
        sold = Performance.objects.filter(
            pk=performance.pk, cancelled=False, starts_at__gt=now,
            price_cents=performance.price_cents,
            seats_sold__lte=F("capacity") - quantity,
        ).update(seats_sold=F("seats_sold") + quantity)
        if not sold:
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
            SeatHolding.objects.filter(customer=user, performance_id=order.performance_id
                                       ).update(seats=F("seats") - order.quantity)
            Performance.objects.filter(pk=order.performance_id).update(
                seats_sold=F("seats_sold") - order.quantity)
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


def _holding_add(*, user: AbstractBaseUser, performance_id: int, seats: int) -> None:
    """Raise the user's seat count for the performance, within the cap, in one statement."""
    table = SeatHolding._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (customer_id, performance_id, seats) "  # noqa: S608 — table name is ours
            "VALUES (%s, %s, %s) "
            "ON CONFLICT (customer_id, performance_id) DO UPDATE "
            f"SET seats = {table}.seats + excluded.seats "
            f"WHERE {table}.seats + excluded.seats <= %s "
            "RETURNING seats",
            [user.pk, performance_id, seats, MAX_SEATS_PER_PERSON],
        )
        if cursor.fetchone() is None:
            raise errors.LimitExceeded()


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

