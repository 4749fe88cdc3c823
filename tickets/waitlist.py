"""Services of the waiting list: join, leave, and offer freed seats in join order.

Seats that come free (a cancellation, a lapsed hold or offer, staff raising the capacity)
go to the list before general sale: the reservation statement refuses general sales while
someone waits (reservation_sql._LIST_FIRST). Offers are made inside the transaction that
freed the seats, which holds the performance row's lock; so releases at the same moment
are offered one after the other, each seat once, nobody skipped. An offer is a held
(pending) order in the customer's name, for OFFER_MINUTES; paying it confirms it like any
hold, letting it lapse (or declining it) releases its seats — to the next in line.
"""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from notifications.services import EmailKind, order_notify
from shows import cache as shows_cache
from shows.counters import counters_locked
from shows.models import Performance

from . import errors
from .lines import default_category, tickets_for
from .models import (
    MAX_SEATS_PER_PERSON,
    Order,
    OrderLine,
    OrderStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from .reservation_sql import Failure, release_seats, write_reservation
from .seating import performance_is_seated, seats_best


def waitlist_join(*, user: AbstractBaseUser, performance_id: int, seats: int,
                  min_seats: int | None = None,
                  now: dt.datetime | None = None) -> WaitlistEntry:
    """Join the list of a sold-out performance for `seats` (accepting down to
    `min_seats`); one active entry per customer and performance."""
    min_seats = seats if min_seats is None else min_seats
    if not 1 <= min_seats <= seats <= MAX_SEATS_PER_PERSON:
        raise errors.InvalidQuantity("Seats must be 1 to 10, and the fewest you accept "
                                     "between 1 and that.")
    try:
        with transaction.atomic():
            # The performance row's lock orders joins and offers alike: the order people
            # join in (`joined_at`, taken under the lock) is the order they commit in, so
            # an offer always goes to the first of those who had joined.
            performance = (Performance.objects.select_for_update(of=("self",))
                           .select_related("show").filter(pk=performance_id).first())
            now = now or timezone.now()
            if performance is None or not performance.show.published:
                raise errors.PerformanceNotFound()
            if performance.cancelled or performance.starts_at <= now:
                raise errors.SalesClosed()
            if not performance.waitlist_enabled:
                raise errors.WaitlistClosed()
            if performance.seats_left > 0 and not someone_waits(performance_id):
                raise errors.SeatsAvailable(seats_left=performance.seats_left)
            if _holds_or_bought(user.pk, performance_id):
                raise errors.AlreadyHolding()  # they would be skipped at their turn
            entry = WaitlistEntry.objects.create(performance=performance, customer=user,
                                                 seats=seats, min_seats=min_seats,
                                                 joined_at=now)
            _list_changed(performance)
            return entry
    except IntegrityError:
        raise errors.AlreadyWaiting() from None


def waitlist_leave(*, user: AbstractBaseUser, performance_id: int,
                   now: dt.datetime | None = None) -> None:
    """Leave the list; leaving with an offer declines it (its seats go to the next)."""
    from .services import order_cancel

    now = now or timezone.now()
    entry = _active_entry(user, performance_id)
    if entry is None:
        raise errors.NotWaiting()
    if entry.status == WaitlistStatus.OFFERED:
        order_cancel(order_id=entry.offer_order_id, user=user, reason="offer declined",
                     now=now)  # marks the entry declined in its transaction
        return
    if WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.WAITING).update(
            status=WaitlistStatus.LEFT):
        _list_changed(entry.performance)


def waitlist_remove(*, entry_id: int, now: dt.datetime | None = None) -> bool:
    """Staff take someone off the list (an offer they hold is cancelled)."""
    from .services import order_cancel

    entry = WaitlistEntry.objects.select_related("performance__show").filter(
        pk=entry_id).first()
    if entry is None or entry.status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
        return False
    if entry.status == WaitlistStatus.OFFERED:
        order_cancel(order_id=entry.offer_order_id, reason="removed from the waiting list",
                     now=now)
    removed = bool(WaitlistEntry.objects.filter(
        pk=entry.pk, status__in=[WaitlistStatus.WAITING, WaitlistStatus.DECLINED]).update(
        status=WaitlistStatus.REMOVED))
    if removed:
        _list_changed(entry.performance)
    return removed


def waitlist_position(entry: WaitlistEntry) -> int | None:
    """1 for the head of the line; None once they are no longer waiting."""
    if entry.status != WaitlistStatus.WAITING:
        return None
    ahead = WaitlistEntry.objects.filter(
        Q(joined_at__lt=entry.joined_at) | Q(joined_at=entry.joined_at, pk__lt=entry.pk),
        performance_id=entry.performance_id, status=WaitlistStatus.WAITING)
    return ahead.count() + 1


def seats_released(*, order: Order, now: dt.datetime,
                   gift_card_kept_cents: int = 0) -> None:
    """Inside the transaction that ends `order` (it holds the order's row lock): give its
    seats back and offer them to the waiting list first. (The public pages' seat counts
    refresh by their TTL: DEPLOY.md, "Public pages at the edge".)"""
    release_seats(order=order, gift_card_kept_cents=gift_card_kept_cents)
    offers_make(performance_id=order.performance_id, now=now)


def offer_ended(*, order: Order, outcome: str) -> bool:
    """Inside the transaction that confirms or ends an offered order: its entry's fate.
    False when the order was no waiting-list offer."""
    return bool(WaitlistEntry.objects.filter(
        offer_order_id=order.pk, status=WaitlistStatus.OFFERED).update(status=outcome))


def offers_make(*, performance_id: int, now: dt.datetime | None = None) -> None:
    """Offer the performance's free seats to the list, head first, as far as they go.

    Takes (or already holds) the performance row's lock, so it runs alone for this
    performance. The head gets an offer when the free seats reach the fewest they
    accept; until then, nobody behind them does (first come, first served).
    """
    now = now or timezone.now()
    with transaction.atomic():
        # FOR NO KEY UPDATE, as a sale's UPDATE takes: a split count's sale (which holds a
        # counter row) checks its inserts' foreign key to the row, and must not wait.
        performance = (Performance.objects.select_for_update(no_key=True)
                       .select_related("show")
                       .filter(pk=performance_id).first())
        if performance is None or not performance.waitlist_enabled:
            return
        counters_locked(performance)  # K > 1: its count stays as read until we commit
        while performance.seats_left > 0:
            head = (WaitlistEntry.objects.select_for_update()
                    .filter(performance_id=performance_id, status=WaitlistStatus.WAITING)
                    .order_by("joined_at", "id").first())
            if head is None:
                break
            if _holds_or_bought(head.customer_id, performance_id):
                _close(head, WaitlistStatus.SKIPPED)
                continue
            seats = min(head.seats, performance.seats_left)
            if seats < head.min_seats:
                break  # the seats wait for the head of the line
            if _offer(performance, head, seats, now) is None:
                _close(head, WaitlistStatus.SKIPPED)  # the per-person cap: they hold enough
                continue
            performance.seats_sold += seats


def offers_make_after_commit(*, performance_id: int) -> None:
    """Staff raised the capacity: offer the new seats once their edit is committed."""
    transaction.on_commit(partial(offers_make, performance_id=performance_id))


def _offer(performance: Performance, entry: WaitlistEntry, seats: int,
           now: dt.datetime) -> Order | None:
    if performance_is_seated(performance_id=performance.pk):
        return _offer_seated(performance, entry, seats, now)
    category = default_category(performance, seats=seats)
    if category is None:  # no visible category has that many seats left
        return None
    free = category.price_cents == 0
    order = Order(id=uuid.uuid4(), customer_id=entry.customer_id, performance=performance,
                  quantity=seats, total_cents=category.price_cents * seats,
                  currency=performance.currency, created_at=now, updated_at=now,
                  status=OrderStatus.CONFIRMED if free else OrderStatus.PENDING,
                  expires_at=None if free else now + dt.timedelta(
                      minutes=settings.OFFER_MINUTES),
                  confirmed_at=now if free else None)
    lines = [OrderLine(order=order, category=category, quantity=seats,
                       unit_price_cents=category.price_cents)]
    return _offer_write(order, lines, entry, now)


def _offer_seated(performance: Performance, entry: WaitlistEntry, seats: int,
                  now: dt.datetime) -> Order | None:
    """At a seated performance the offer holds the best seats free, together if they can
    be (the person waiting takes what came free, so apart if need be)."""
    try:
        picks = seats_best(performance_id=performance.pk, lines=[(None, seats)], split=True)
    except errors.TicketsError:
        return None
    prices = {c.pk: c for c in performance.categories.all()}
    quantities: dict[int, int] = {}
    for pick in picks:
        quantities[pick.category_id] = quantities.get(pick.category_id, 0) + 1
    total = sum(prices[c].price_cents * n for c, n in quantities.items())
    free = total == 0
    order = Order(id=uuid.uuid4(), customer_id=entry.customer_id, performance=performance,
                  quantity=seats, total_cents=total, currency=performance.currency,
                  created_at=now, updated_at=now,
                  status=OrderStatus.CONFIRMED if free else OrderStatus.PENDING,
                  expires_at=None if free else now + dt.timedelta(
                      minutes=settings.OFFER_MINUTES),
                  confirmed_at=now if free else None)
    lines = [OrderLine(order=order, category=prices[c], quantity=n,
                       unit_price_cents=prices[c].price_cents) for c, n in quantities.items()]
    picks.sort(key=lambda p: list(quantities).index(p.category_id))
    return _offer_write(order, lines, entry, now, picks)


def _offer_write(order: Order, lines: list[OrderLine], entry: WaitlistEntry,
                 now: dt.datetime, picks: list | None = None) -> Order | None:
    free = order.status == OrderStatus.CONFIRMED
    tickets = tickets_for(order, lines, picks) if free else []
    failure = write_reservation(order=order, lines=lines, tickets=tickets, now=now, key=None,
                                offer=True, seats=[p.seat.pk for p in picks or []])
    if failure is Failure.LIMIT:
        return None
    if failure is not None:  # cannot happen under the performance lock
        raise RuntimeError(f"offer not written: {failure}")
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        status=WaitlistStatus.ACCEPTED if free else WaitlistStatus.OFFERED,
        offer_order=order, offered_at=now)
    if free:
        order_notify(order_id=order.pk, kind=EmailKind.CONFIRMATION)
    else:
        # Its payment is made when they open the offer (the payment step, holds.py).
        order_notify(order_id=order.pk, kind=EmailKind.OFFER)
    return order


def _list_changed(performance: Performance) -> None:
    """Whether anyone waits shows on the public pages (sold out while they do)."""
    shows_cache.invalidate_seats(slug=performance.show.slug, performance_id=performance.pk)


def someone_waits(performance_id: int) -> bool:
    """Someone is in line: freed seats are theirs before general sale's."""
    return WaitlistEntry.objects.filter(performance_id=performance_id,
                                        status=WaitlistStatus.WAITING).exists()


def _holds_or_bought(customer_id: int, performance_id: int) -> bool:
    """They hold or bought seats of it already: they are not offered more."""
    return Order.objects.filter(
        customer_id=customer_id, performance_id=performance_id,
        status__in=[OrderStatus.PENDING, OrderStatus.CONFIRMED]).exists()


def _close(entry: WaitlistEntry, status: str) -> None:
    WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.WAITING).update(
        status=status)


def _active_entry(user: AbstractBaseUser, performance_id: int) -> WaitlistEntry | None:
    return WaitlistEntry.objects.select_related("performance__show").filter(
        customer=user, performance_id=performance_id,
        status__in=[WaitlistStatus.WAITING, WaitlistStatus.OFFERED]).first()
