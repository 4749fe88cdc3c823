"""The box-office counter's writes: a sale (cash, card terminal, comp) or a phone booking
(pay later), and paying that booking at the counter later.

A counter sale is the online reservation (tickets.services.order_reserve: the same one
statement, so the counter never oversells against online buyers in the same second), for a
customer user, plus a CounterSale row saying who sold it and how it was paid, written in the
same transaction. Each way of paying needs its permission (staff/roles.py), checked here as
well as by the pages.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from shows.models import Performance
from tickets import errors as ticket_errors
from tickets.holds import order_expire, order_payment_succeeded, orders_locked
from tickets.lines import LineRequest
from tickets.models import MAX_SEATS_PER_PERSON, Order, OrderLine, OrderStatus, SeatHolding
from tickets.services import order_reserve

from . import errors, roles
from .models import CompReason, CounterMethod, CounterSale
from .walk_in import WALK_IN_PREFIX

# A phone booking is held at the latest until this long before the start.
PAY_LATER_LAST_HOLD = dt.timedelta(minutes=30)
# Walk-in customers tried before giving up (each holds at most MAX_SEATS_PER_PERSON).
WALK_IN_ATTEMPTS = 5
WALK_IN_BATCH = 50

PERMISSION = {
    CounterMethod.CASH: roles.SELL_AT_COUNTER,
    CounterMethod.CARD: roles.SELL_AT_COUNTER,
    CounterMethod.COMP: roles.GIVE_COMPS,
    CounterMethod.PAY_LATER: roles.BOOK_PAY_LATER,
}


@dataclass(frozen=True)
class Sale:
    """What the counter page sends: the performance, its lines, the customer, the payment."""

    performance_id: int
    lines: list[LineRequest]
    method: CounterMethod
    customer_name: str = ""
    customer_email: str = ""
    given_cents: int | None = None       # cash: what the customer handed over
    comp_reason: str = ""                # comp: press, artist or staff
    hold_until: dt.datetime | None = None  # pay later: when the booking lapses


def may_use(user: AbstractBaseUser, method: CounterMethod) -> bool:
    return user.has_perm(PERMISSION[method])


def counter_sell(*, staff: AbstractBaseUser, sale: Sale,
                 now: dt.datetime | None = None) -> CounterSale:
    """Sell at the counter, or book to pay later; raise a DomainError otherwise.

    Cash needs `given_cents` at least the price (the change is recorded); a comp a reason
    (its order costs 0, its list price is kept); pay later a `hold_until` in the future and
    at the latest PAY_LATER_LAST_HOLD before the start (a pending order the per-minute job
    releases then, like any hold).
    """
    now = now or timezone.now()
    method = CounterMethod(sale.method)
    if not may_use(staff, method):
        raise errors.Forbidden()
    if not sale.lines:
        raise errors.InvalidSale()
    if method == CounterMethod.COMP and sale.comp_reason not in CompReason.values:
        raise errors.CompNeedsReason()
    if method == CounterMethod.PAY_LATER and (sale.hold_until is None
                                              or sale.hold_until <= now):
        raise errors.HoldUntilInvalid()
    email = sale.customer_email.strip().lower()
    with transaction.atomic():
        order = _reserve(sale, email=email, now=now,
                         pay_later=method == CounterMethod.PAY_LATER)
        if method == CounterMethod.PAY_LATER and \
                sale.hold_until > order.performance.starts_at - PAY_LATER_LAST_HOLD:
            raise errors.HoldUntilInvalid()  # (rolls the reservation back)
        list_price = order.total_cents
        if method == CounterMethod.PAY_LATER and order.status != OrderStatus.PENDING:
            raise errors.InvalidSale(  # a free order is confirmed at once: nothing to pay
                "A free order needs no pay-later booking: sell it as cash or a comp.")
        if method == CounterMethod.COMP and list_price:
            Order.objects.filter(pk=order.pk).update(total_cents=0, updated_at=now)
            OrderLine.objects.filter(order=order).update(unit_price_cents=0)
            order.total_cents = 0
        record = CounterSale(order=order, sold_by=staff, sold_at=now, method=method,
                             list_price_cents=list_price, comp_reason=sale.comp_reason
                             if method == CounterMethod.COMP else "",
                             customer_name=sale.customer_name.strip()[:200],
                             customer_email=email)
        if method != CounterMethod.PAY_LATER:
            _mark_paid(record, staff=staff, method=method, amount=order.total_cents,
                       given=sale.given_cents, now=now)
        record.save(force_insert=True)
    return record


def counter_collect(*, staff: AbstractBaseUser, order_id: uuid.UUID, method: CounterMethod,
                    given_cents: int | None = None,
                    now: dt.datetime | None = None) -> CounterSale:
    """A pay-later booking paid at the counter (cash or card): confirm it and issue its
    tickets, once. A lapsed booking is released (by this call if the job has not yet) and
    refused: its seats may be sold again."""
    now = now or timezone.now()
    method = CounterMethod(method)
    if method not in (CounterMethod.CASH, CounterMethod.CARD):
        raise errors.InvalidSale()
    if not (staff.has_perm(roles.SELL_AT_COUNTER) and staff.has_perm(roles.BOOK_PAY_LATER)):
        raise errors.Forbidden()
    record = CounterSale.objects.filter(order_id=order_id,
                                        method=CounterMethod.PAY_LATER).first()
    if record is None:
        raise ticket_errors.OrderNotFound()
    order = Order.objects.get(pk=order_id)
    if order.status == OrderStatus.PENDING and order.expires_at <= now:
        order_expire(order_id=order.pk, now=now)
        order.refresh_from_db()
    if order.status != OrderStatus.PENDING or record.paid_at is not None:
        raise errors.BookingNotPending()
    with transaction.atomic():
        order = orders_locked().get(pk=order_id)
        record = CounterSale.objects.select_for_update().get(pk=order_id)
        if order.status != OrderStatus.PENDING or record.paid_at is not None:
            raise errors.BookingNotPending()
        _mark_paid(record, staff=staff, method=method, amount=order.total_cents,
                   given=given_cents, now=now)
        record.save(update_fields=["paid_method", "paid_by", "paid_at", "amount_cents",
                                   "given_cents", "change_cents"])
        order_payment_succeeded(order_id=order.pk, now=now)
    return record


def _mark_paid(record: CounterSale, *, staff: AbstractBaseUser, method: CounterMethod,
               amount: int, given: int | None, now: dt.datetime) -> None:
    if method == CounterMethod.CASH:
        if given is None or given < amount:
            raise errors.NotEnoughCash()
        record.given_cents, record.change_cents = given, given - amount
    record.paid_method, record.paid_by, record.paid_at = method, staff, now
    record.amount_cents = amount


def _reserve(sale: Sale, *, email: str, now: dt.datetime, pay_later: bool) -> Order:
    kwargs = {"performance_id": sale.performance_id, "lines": sale.lines, "now": now,
              "paid_at_box_office": not pay_later,
              "hold_until": sale.hold_until if pay_later else None}
    if email:
        return order_reserve(user=customer_for_email(email), **kwargs)
    seats = sum(line.quantity for line in sale.lines)
    if seats > MAX_SEATS_PER_PERSON:
        raise ticket_errors.LimitExceeded()
    tried: set[int] = set()
    for _attempt in range(WALK_IN_ATTEMPTS):
        known = _walk_ins.get(sale.performance_id) if not tried else None
        if known is None or known[1] + seats > MAX_SEATS_PER_PERSON:
            known = walk_in_customer(sale.performance_id, seats=seats, skip=tried)
        user, held = known
        try:
            order = order_reserve(user=user, **kwargs)
        except ticket_errors.LimitExceeded as exc:  # a parallel sale filled its cap: next
            if "category" in exc.extra:  # a category's per-order maximum: not the cap
                raise
            tried.add(user.pk)
            _walk_ins.pop(sale.performance_id, None)
            continue
        # Once committed: a user created by a sale that is then rolled back never was.
        transaction.on_commit(partial(_remember, sale.performance_id, user, held + seats))
        return order
    raise ticket_errors.Busy()


# Each performance's walk-in customer in this process and the seats it was last known to
# hold: most sales need no look-up, and move on to the next walk-in before the cap refuses
# (the reservation statement still does, for sales in other processes: then the next).
_walk_ins: dict[int, tuple[AbstractBaseUser, int]] = {}
_WALK_INS_KEPT = 512


def _remember(performance_id: int, user: AbstractBaseUser, held: int) -> None:
    if len(_walk_ins) >= _WALK_INS_KEPT:
        _walk_ins.clear()
    _walk_ins[performance_id] = (user, held)


def customer_for_email(email: str) -> AbstractBaseUser:
    """The customer with this email address, or a new one (who may sign in later)."""
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=email).order_by("pk").first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            user = user_model(username=f"counter:{email}"[:150], email=email)
            user.set_unusable_password()
            user.save()
            return user
    except IntegrityError:  # a parallel sale created them
        return user_model.objects.get(username=f"counter:{email}"[:150])


def walk_in_customer(performance_id: int, *, seats: int,
                     skip: set[int] = frozenset()) -> tuple[AbstractBaseUser, int]:
    """The venue's walk-in customer for a sale without an email address, and the seats of
    this performance it holds.

    A customer holds at most MAX_SEATS_PER_PERSON seats of a performance (the cap the
    reservation statement enforces), so a venue has walk-in customers #1, #2, …
    (`walk-in-<venue>-<n>`): the first with room for `seats` more of this performance's
    seats, created when none has. Looked up by exact usernames, WALK_IN_BATCH at a time
    (the username index, never a scan of the customers).
    """
    user_model = get_user_model()
    venue_id = (Performance.objects.filter(pk=performance_id)
                .values_list("venue_id", flat=True).first())
    if venue_id is None:
        raise ticket_errors.PerformanceNotFound()
    held = SeatHolding.objects.filter(performance_id=performance_id, customer=OuterRef("pk"))
    first = 1
    while True:
        names = [walk_in_username(venue_id, n) for n in range(first, first + WALK_IN_BATCH)]
        found = list(user_model.objects.filter(username__in=names)
                     .annotate(held=Coalesce(Subquery(held.values("seats")[:1]), 0))
                     .order_by("pk"))
        for user in found:
            if user.held + seats <= MAX_SEATS_PER_PERSON and user.pk not in skip:
                return user, user.held
        if len(found) < WALK_IN_BATCH:
            break
        first += WALK_IN_BATCH
    taken = {user.get_username() for user in found}
    number = next(n for n in range(first, first + WALK_IN_BATCH + 1)
                  if walk_in_username(venue_id, n) not in taken)
    while True:
        try:
            with transaction.atomic():
                user = user_model(username=walk_in_username(venue_id, number),
                                  first_name="Walk-in")
                user.set_unusable_password()
                user.save()
                return user, 0
        except IntegrityError:  # a parallel sale took this number
            number += 1


def walk_in_username(venue_id: int, number: int) -> str:
    return f"{WALK_IN_PREFIX}-{venue_id}-{number}"
