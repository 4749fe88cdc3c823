"""The write half of a reservation: seat count, seat holding, order, tickets, key.

One contract, two writers. On PostgreSQL (production, tests) it is a single statement of
data-modifying CTEs, run as its own transaction: one round trip, no BEGIN/COMMIT, and the
hot performance row is locked only while that statement runs — the same as the raw-SQL
floor of bench/reservations.py. Other databases (the SQLite of `make run`) run the same
steps as separate statements in one transaction.

Order of writes (and so of locks), shared with order_cancel: performance, then the
customer's seat holding. Every step after the first runs only if the first sold the seats.
The per-person cap is the holding row's CHECK constraint and the idempotency key's
uniqueness is its UNIQUE constraint: breaking either aborts the whole statement.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import json
import uuid
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from notifications.models import EmailKind, OrderEmail
from shows.models import Performance

from .models import (
    IdempotencyRecord,
    Order,
    SeatHolding,
    Ticket,
    WaitlistEntry,
    WaitlistStatus,
)

CAP_CONSTRAINT = "seatholding_within_cap"
KEY_CONSTRAINT = "idempotency_one_per_customer_key"


class Failure(enum.Enum):
    KEY_TAKEN = "key_taken"  # the idempotency key exists: replay, or 422 for another body
    LIMIT = "limit"          # the per-person cap would be passed
    NOT_SOLD = "not_sold"    # not enough seats, sales closed, or the price changed
    BUSY = "busy"            # the database's lock_timeout expired (another request holds it)


# Databases that take the single-statement writer (data-modifying CTEs).
SINGLE_STATEMENT_VENDORS = {"postgresql"}
Key = tuple[str, str, tuple[int, Any]]  # (idempotency key, fingerprint, (status, body))

_PERFORMANCE = Performance._meta.db_table
_HOLDING = SeatHolding._meta.db_table
_ORDER = Order._meta.db_table
_TICKET = Ticket._meta.db_table
_KEY = IdempotencyRecord._meta.db_table
_WAITLIST = WaitlistEntry._meta.db_table

# Seats go to the waiting list before general sale: while someone waits (and the list is
# on), only an offer to them (%(offer)s) may take freed seats (tickets/waitlist.py).
_LIST_FIRST = (f"(%(offer)s OR NOT (waitlist_enabled AND EXISTS (SELECT 1 FROM {_WAITLIST} w "  # noqa: S608  # nosec B608
               f"WHERE w.performance_id = {_PERFORMANCE}.id AND w.status = 'waiting')))")
# Table names come from our models' _meta; every value is a bound parameter.
_SELL = (f"UPDATE {_PERFORMANCE} SET seats_sold = seats_sold + %(n)s "  # noqa: S608  # nosec B608
         "WHERE id = %(performance)s AND NOT cancelled AND starts_at > %(now)s "
         "AND price_cents = %(price)s AND seats_sold + %(n)s <= capacity "
         f"AND {_LIST_FIRST} RETURNING id")
_HOLD = (f"INSERT INTO {_HOLDING} AS held (customer_id, performance_id, seats) "  # nosec B608
         "SELECT %(user)s, %(performance)s, %(n)s {source} "
         "ON CONFLICT (customer_id, performance_id) DO UPDATE "
         "SET seats = held.seats + excluded.seats RETURNING seats")
_KEY_INSERT = (f"INSERT INTO {_KEY} (customer_id, key, fingerprint, status_code, body, "
               "created_at) SELECT %(user)s, %(key)s, %(fingerprint)s, %(key_status)s, "
               "%(body)s, %(now)s {source} RETURNING 1")

_ONE_STATEMENT = f"""
WITH p AS ({_SELL}),
h AS ({_HOLD.format(source="FROM p")}),
o AS (
    INSERT INTO {_ORDER} (id, customer_id, performance_id, quantity, total_cents, currency,
                          status, created_at, updated_at, expires_at, confirmed_at)
    SELECT %(order)s, %(user)s, p.id, %(n)s, %(total)s, %(currency)s, %(status)s,
           %(now)s, %(now)s, %(expires)s, %(confirmed)s FROM p
    RETURNING id),
t AS (INSERT INTO {_TICKET} (order_id, code)
      SELECT o.id, c FROM o, unnest(%(codes)s::varchar[]) AS c RETURNING 1),
k AS ({{key_step}}),
e AS ({{email_step}})
SELECT (SELECT count(*) FROM p), (SELECT count(*) FROM h), (SELECT count(*) FROM t),
       (SELECT count(*) FROM k), (SELECT count(*) FROM e)
"""  # noqa: S608  # nosec B608
# A confirmed order's confirmation email is owed exactly when the order exists: its row
# (notifications.models.OrderEmail, queued) is written by the same statement.
_EMAIL_INSERT = (f"INSERT INTO {OrderEmail._meta.db_table} (id, order_id, kind, status, "  # noqa: S608  # nosec B608
                 "recipient, attempts, created_at, last_error, message_id, requested_by) "
                 "SELECT %(email)s, o.id, 'confirmation', 'queued', '', 0, %(now)s, '', '', '' "
                 "FROM o RETURNING 1")


def write_reservation(*, order: Order, tickets: list[Ticket], now: dt.datetime,
                      key: Key | None, offer: bool = False,
                      email_id: uuid.UUID | None = None) -> Failure | None:
    """Write everything, or nothing and say why. `offer`: seats offered to the head of the
    waiting list (only then may a sale pass people who wait). `email_id`: also write the
    confirmation email's row, with this id (a confirmed order)."""
    params = {**_params(order, tickets, now, key), "offer": offer, "email": email_id}
    try:
        if connection.vendor in SINGLE_STATEMENT_VENDORS:
            return _in_one_statement(params, len(tickets), key is not None)
        return _in_steps(order, tickets, params, key is not None)
    except OperationalError as exc:
        # lock_not_available: only where the database role sets a lock_timeout (DEPLOY.md).
        if getattr(exc.__cause__, "pgcode", None) == "55P03":
            return Failure.BUSY
        raise
    except IntegrityError as exc:
        constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
        if constraint == CAP_CONSTRAINT or CAP_CONSTRAINT in str(exc):
            return Failure.LIMIT
        if constraint == KEY_CONSTRAINT or KEY_CONSTRAINT in str(exc) or (
                key is not None and "idempotencyrecord" in str(exc)):
            return Failure.KEY_TAKEN
        raise


def _params(order: Order, tickets: list[Ticket], now: dt.datetime,
            key: Key | None) -> dict[str, Any]:
    params = {
        "user": order.customer_id, "performance": order.performance_id, "n": order.quantity,
        "now": now, "price": order.performance.price_cents, "order": order.id,
        "total": order.total_cents, "currency": order.currency, "status": order.status,
        "expires": order.expires_at, "confirmed": order.confirmed_at,
        "codes": [t.code for t in tickets],
    }
    if key is not None:
        value, fingerprint, (status, body) = key
        params.update(key=value, fingerprint=fingerprint, key_status=status,
                      body=json.dumps(body))
    return params


def _in_one_statement(params: dict[str, Any], seats: int, keyed: bool) -> Failure | None:
    key_step = _KEY_INSERT.format(source="WHERE EXISTS (SELECT 1 FROM o)") if keyed \
        else "SELECT 1"
    # Its own transaction in production (autocommit); a savepoint when a caller (a test)
    # already holds one, so that a constraint error does not poison it.
    email_step = _EMAIL_INSERT if params["email"] else "SELECT 1"
    scope = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    with scope, connection.cursor() as cursor:
        cursor.execute(_ONE_STATEMENT.replace("{key_step}", key_step)
                       .replace("{email_step}", email_step), params)
        sold, held, issued, stored, owed = cursor.fetchone()
    if not sold:
        return Failure.NOT_SOLD
    if not (held and issued == seats and stored and owed):  # only if the SQL is broken
        raise RuntimeError(f"partial reservation: {held=} {issued=} {stored=} {owed=}")
    return None


class _RollBack(Exception):
    pass


def _in_steps(order: Order, tickets: list[Ticket], params: dict[str, Any],
              keyed: bool) -> Failure | None:
    try:
        with transaction.atomic(durable=not connection.in_atomic_block):
            sold = _for_sale(order, params["now"], offer=params["offer"]).filter(
                price_cents=params["price"]).update(seats_sold=F("seats_sold") + order.quantity)
            if not sold:
                raise _RollBack
            _execute(_HOLD.format(source=""), params)
            order.save(force_insert=True)
            Ticket.objects.bulk_create(tickets)
            if keyed:
                _execute(_KEY_INSERT.format(source=""), params)
            if params["email"]:
                OrderEmail.objects.create(id=params["email"], order=order,
                                          kind=EmailKind.CONFIRMATION, created_at=params["now"])
    except _RollBack:
        return Failure.NOT_SOLD
    return None


def take_seats_again(*, order: Order, now: dt.datetime) -> bool:
    """Sell a released order's seats again (a payment that arrived after its hold lapsed),
    with the same two guards as a reservation: the conditional seat UPDATE and the
    holding's per-person CHECK. Inside the caller's transaction; False changes nothing."""
    try:
        with transaction.atomic():
            sold = _for_sale(order, now, offer=False).update(
                seats_sold=F("seats_sold") + order.quantity)
            if not sold:
                raise _RollBack
            _execute(_HOLD.format(source=""), {"user": order.customer_id,
                                               "performance": order.performance_id,
                                               "n": order.quantity})
    except _RollBack:
        return False
    except IntegrityError as exc:
        if CAP_CONSTRAINT in str(exc):
            return False
        raise
    return True


def _for_sale(order: Order, now: dt.datetime, *, offer: bool) -> QuerySet[Performance]:
    """The performance, if `order.quantity` seats of it may be sold now (ORM form of _SELL
    but the price check)."""
    waiting = WaitlistEntry.objects.filter(performance=OuterRef("pk"),
                                           status=WaitlistStatus.WAITING)
    found = Performance.objects.filter(
        pk=order.performance_id, cancelled=False, starts_at__gt=now,
        seats_sold__lte=F("capacity") - order.quantity)
    return found if offer else found.exclude(Q(waitlist_enabled=True) & Exists(waiting))


def release_seats(*, order: Order) -> None:
    """Give an order's seats back (it was pending or confirmed and no longer is), in the
    lock order of the reservation: performance, then holding. Inside the caller's
    transaction, after the conditional status UPDATE that makes this happen once."""
    Performance.objects.filter(pk=order.performance_id).update(
        seats_sold=F("seats_sold") - order.quantity)
    SeatHolding.objects.filter(customer_id=order.customer_id,
                               performance_id=order.performance_id).update(
        seats=F("seats") - order.quantity)


def _execute(sql: str, params: dict[str, Any]) -> None:
    """Run `sql` with only the parameters it names (SQLite binds every one it is given)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, {k: v for k, v in params.items() if f"%({k})s" in sql})
