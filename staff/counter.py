"""The box-office counter's writes: a sale (cash, card terminal, comp) or a phone booking
(pay later), and paying that booking at the counter later.

A counter sale is the online reservation (tickets.services.order_reserve: the same one
statement, so the counter never oversells against online buyers in the same second), for a
customer user, and its CounterSale row saying who sold it and how it was paid is one more
step of that statement (`counter=`: built from the order before anything is written, so a
refusal — not enough cash, a hold past its limit — writes nothing). A cash, card or pay-later
sale is that one statement, its own transaction; a comp is a transaction that then sets its
price to 0. Each way of paying needs its permission (staff/roles.py), checked here as well
as by the pages. A seated performance sells the seats chosen, or the best available.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from shows.models import Performance
from tickets import errors as ticket_errors
from tickets.holds import order_expire, order_payment_succeeded, orders_locked
from tickets.lines import LineRequest
from tickets.models import MAX_SEATS_PER_PERSON, Order, OrderLine, OrderStatus, SeatHolding
from tickets.reservation_sql import CounterRow
from tickets.services import order_reserve

from . import errors, roles
from .models import CompReason, CounterMethod, CounterSale
from .walk_in import WALK_IN_PREFIX

# A phone booking is held at the latest until this long before the start.
PAY_LATER_LAST_HOLD = dt.timedelta(minutes=30)
# Walk-in customers tried before giving up (each holds at most MAX_SEATS_PER_PERSON).
WALK_IN_ATTEMPTS = 5
WALK_IN_BATCH = 50
WALK_IN_CREATE = 10  # made at once when none has room (a new one every 10 seats is slow)

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
    # A seated performance: the seats chosen (ids; then `lines` may be empty), or
    # `best_available` seats for `lines`, chosen by the server.
    seats: list[int] | None = None
    best_available: bool = False


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
    if not sale.lines and not sale.seats:
        raise errors.InvalidSale()
    if method == CounterMethod.COMP and sale.comp_reason not in CompReason.values:
        raise errors.CompNeedsReason()
    if method == CounterMethod.PAY_LATER and (sale.hold_until is None
                                              or sale.hold_until <= now):
        raise errors.HoldUntilInvalid()
    email = sale.customer_email.strip().lower()
    row = partial(_counter_row, staff=staff, sale=sale, method=method, email=email, now=now)
    if method != CounterMethod.COMP:
        # One statement, its own transaction: the order and its CounterSale row together.
        order = _reserve(sale, email=email, now=now, row=row,
                         pay_later=method == CounterMethod.PAY_LATER)
        return _record(order, staff=staff, row=row(order))
    with transaction.atomic():  # a comp then costs 0 (its list price kept on the row)
        order = _reserve(sale, email=email, now=now, row=row, pay_later=False)
        record = _record(order, staff=staff, row=row(order))
        if order.total_cents:
            Order.objects.filter(pk=order.pk).update(total_cents=0, updated_at=now)
            OrderLine.objects.filter(order=order).update(unit_price_cents=0)
            order.total_cents = 0
    return record


def _counter_row(order: Order, *, staff: AbstractBaseUser, sale: Sale, method: CounterMethod,
                 email: str, now: dt.datetime) -> CounterRow:
    """The sale's CounterSale row, from the order the reservation built (before it is
    written): or a DomainError, and nothing is written."""
    if method == CounterMethod.PAY_LATER:
        if sale.hold_until > order.performance.starts_at - PAY_LATER_LAST_HOLD:
            raise errors.HoldUntilInvalid()
        if order.status != OrderStatus.PENDING:
            raise errors.InvalidSale(  # a free order is confirmed at once: nothing to pay
                "A free order needs no pay-later booking: sell it as cash or a comp.")
    list_price = order.total_cents
    fields = {"sold_by_id": staff.pk, "method": method.value, "list_price_cents": list_price,
              "comp_reason": sale.comp_reason if method == CounterMethod.COMP else "",
              "customer_name": sale.customer_name.strip()[:200], "customer_email": email}
    if method == CounterMethod.PAY_LATER:
        return CounterRow(**fields)
    amount = 0 if method == CounterMethod.COMP else list_price
    paid = _paid(method=method, amount=amount, given=sale.given_cents)
    return CounterRow(**fields, paid_method=method.value, paid_by_id=staff.pk, paid_at=now,
                      **paid)


def _record(order: Order, *, staff: AbstractBaseUser, row: CounterRow) -> CounterSale:
    """The CounterSale the statement wrote, as written (no read back)."""
    record = CounterSale(order=order, sold_by=staff, sold_at=order.created_at,
                         method=row.method, list_price_cents=row.list_price_cents,
                         comp_reason=row.comp_reason, customer_name=row.customer_name,
                         customer_email=row.customer_email, paid_method=row.paid_method,
                         paid_by=staff if row.paid_by_id else None, paid_at=row.paid_at,
                         amount_cents=row.amount_cents, given_cents=row.given_cents,
                         change_cents=row.change_cents)
    record._state.adding, record._state.db = False, "default"
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
        for name, value in _paid(method=method, amount=order.total_cents,
                                 given=given_cents).items():
            setattr(record, name, value)
        record.paid_method, record.paid_by, record.paid_at = method, staff, now
        record.save(update_fields=["paid_method", "paid_by", "paid_at", "amount_cents",
                                   "given_cents", "change_cents"])
        order_payment_succeeded(order_id=order.pk, now=now)
    return record


def _paid(*, method: CounterMethod, amount: int, given: int | None) -> dict[str, int | None]:
    """What was paid: the amount, and for cash what was given and the change."""
    if method != CounterMethod.CASH:
        return {"amount_cents": amount, "given_cents": None, "change_cents": 0}
    if given is None or given < amount:
        raise errors.NotEnoughCash()
    return {"amount_cents": amount, "given_cents": given, "change_cents": given - amount}


def _reserve(sale: Sale, *, email: str, now: dt.datetime, pay_later: bool,
             row: Callable[[Order], CounterRow]) -> Order:
    kwargs = {"performance_id": sale.performance_id, "lines": sale.lines or None, "now": now,
              "counter": row, "seats": sale.seats or None,
              "best_available": sale.best_available and not sale.seats,
              "paid_at_box_office": not pay_later,
              "hold_until": sale.hold_until if pay_later else None}
    if email:
        return order_reserve(user=customer_for_email(email), **kwargs)
    seats = len(sale.seats) if sale.seats else sum(line.quantity for line in sale.lines)
    if seats > MAX_SEATS_PER_PERSON:
        raise ticket_errors.LimitExceeded()
    tried: set[int] = set()
    for _attempt in range(WALK_IN_ATTEMPTS):
        user, held = _walk_in_for(sale.performance_id, seats=seats, skip=tried)
        try:
            order = order_reserve(user=user, **kwargs)
        except ticket_errors.LimitExceeded as exc:  # a parallel sale filled its cap: next
            if "category" in exc.extra:  # a category's per-order maximum: not the cap
                raise
            tried.add(user.pk)
            _remember(sale.performance_id, user, MAX_SEATS_PER_PERSON)
            continue
        # Once committed: a user created by a sale that is then rolled back never was.
        transaction.on_commit(partial(_remember, sale.performance_id, user, held + seats))
        return order
    raise ticket_errors.Busy()


# Each performance's walk-in customers in this process, in order, and the seats each was
# last known to hold: most sales need no look-up (one per WALK_IN_BATCH walk-ins), and move
# on to the next walk-in before the cap refuses (the reservation statement still does, for
# sales in other processes: then the next).
_walk_ins: dict[int, list[tuple[AbstractBaseUser, int]]] = {}
_WALK_INS_KEPT = 512


def _walk_in_for(performance_id: int, *, seats: int,
                 skip: set[int]) -> tuple[AbstractBaseUser, int]:
    """The first known walk-in with room for `seats` (not in `skip`); else the next ones,
    looked up after the last known (its venue and number are in its name)."""
    known = _walk_ins.get(performance_id, [])
    for user, held in known:
        if held + seats <= MAX_SEATS_PER_PERSON and user.pk not in skip:
            return user, held
    venue_id, number = _walk_in_number(known[-1][0]) if known else (None, 0)
    found = walk_in_customers(performance_id, seats=seats, skip=skip, first=number + 1,
                              venue_id=venue_id)
    # Once committed (those before, full, are forgotten): a walk-in made by a sale that is
    # then rolled back (a comp's transaction) never was.
    transaction.on_commit(partial(_know, performance_id, found))
    return found[0]


def _know(performance_id: int, found: list[tuple[AbstractBaseUser, int]]) -> None:
    if len(_walk_ins) >= _WALK_INS_KEPT:
        _walk_ins.clear()
    _walk_ins[performance_id] = list(found)


def _remember(performance_id: int, user: AbstractBaseUser, held: int) -> None:
    known = _walk_ins.setdefault(performance_id, [])
    for i, (other, _) in enumerate(known):
        if other.pk == user.pk:
            known[i] = (user, held)
            return
    known.append((user, held))


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
    this performance it holds (see walk_in_customers)."""
    return walk_in_customers(performance_id, seats=seats, skip=skip)[0]


def walk_in_customers(performance_id: int, *, seats: int, skip: set[int] = frozenset(),
                      first: int = 1, venue_id: int | None = None,
                      ) -> list[tuple[AbstractBaseUser, int]]:
    """The venue's walk-in customers for a sale without an email address, and the seats of
    this performance each holds: those with room, of the first batch that has any.

    A customer holds at most MAX_SEATS_PER_PERSON seats of a performance (the cap the
    reservation statement enforces), so a venue has walk-in customers #1, #2, …
    (`walk-in-<venue>-<n>`): the first with room for `seats` more of this performance's
    seats, created when none has. Looked up by exact usernames, WALK_IN_BATCH at a time
    (the username index, never a scan of the customers). From number `first` on (the
    counter starts after the last it knows); `venue_id`: the performance's, if known.
    """
    user_model = get_user_model()
    if venue_id is None:
        venue_id = (Performance.objects.filter(pk=performance_id)
                    .values_list("venue_id", flat=True).first())
    if venue_id is None:
        raise ticket_errors.PerformanceNotFound()
    held = SeatHolding.objects.filter(performance_id=performance_id, customer=OuterRef("pk"))

    def read(names: list[str]) -> list:  # the customers named, with their seats held here
        return list(user_model.objects.filter(username__in=names)
                    .annotate(held=Coalesce(Subquery(held.values("seats")[:1]), 0))
                    .order_by("pk"))

    def with_room(users: list) -> list[tuple[AbstractBaseUser, int]]:
        return [(user, user.held) for user in users
                if user.held + seats <= MAX_SEATS_PER_PERSON and user.pk not in skip]

    found: list = []
    while True:
        found = read([walk_in_username(venue_id, n)
                      for n in range(first, first + WALK_IN_BATCH)])
        room = with_room(found)
        if room:
            return room
        if len(found) < WALK_IN_BATCH:
            break
        first += WALK_IN_BATCH
    # None has room: the next WALK_IN_CREATE numbers not taken, made in one INSERT (a
    # parallel sale may make some of them too: then they are read back, held seats and all).
    taken = {user.get_username() for user in found}
    while True:
        names = list(itertools.islice((name for name in map(
            partial(walk_in_username, venue_id), itertools.count(first))
            if name not in taken), WALK_IN_CREATE))
        user_model.objects.bulk_create([
            user_model(username=name, first_name="Walk-in", password=make_password(None))
            for name in names], ignore_conflicts=True)
        room = with_room(read(names))
        if room:
            return room
        taken.update(names)  # all taken and filled meanwhile: the next ones


def walk_in_username(venue_id: int, number: int) -> str:
    return f"{WALK_IN_PREFIX}-{venue_id}-{number}"


def _walk_in_number(user: AbstractBaseUser) -> tuple[int | None, int]:
    """A walk-in customer's venue and number, read from its username (or None, 0)."""
    venue, _, number = user.get_username().removeprefix(f"{WALK_IN_PREFIX}-").partition("-")
    if not (venue.isdigit() and number.isdigit()):
        return None, 0
    return int(venue), int(number)
