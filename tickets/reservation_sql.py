"""The write half of a reservation: seat counts, seat holding, order, lines, tickets, key.

One contract, two writers. On PostgreSQL (production, tests) it is a single statement of
data-modifying CTEs, run as its own transaction: one round trip, no BEGIN/COMMIT, and the
hot performance row is locked only while that statement runs — the same as the raw-SQL
floor of bench/reservations.py. Other databases (the SQLite of `make run`) run the same
steps as separate statements in one transaction.

Order of writes (and so of locks), shared with every release: performance (or, when its
count is split over K rows, one of its counter rows: shows/counters.py), then its price
categories, then the customer's seat holding. Every step after the first runs only
if the first sold the seats. What can refuse a sale after the first step aborts the whole
statement, so that nothing is half-written: a category's quota and the per-person cap are
CHECK constraints, the idempotency key's uniqueness is a UNIQUE constraint, and a line
whose category no longer matches (price changed, hidden, another performance's, over its
per-order maximum) fails `marquee_refuse` (a function of tickets' migration 0005).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import enum
import json
import uuid
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import DatabaseError, IntegrityError, OperationalError, connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet

from notifications.models import EmailKind, OrderEmail
from shows.counters import counters_give, counters_take
from shows.models import CATEGORY_QUOTA_CONSTRAINT, Performance, PriceCategory
from vouchers.models import (
    GIFT_CARD_BALANCE_CONSTRAINT,
    VOUCHER_USES_CONSTRAINT,
    GiftCard,
    GiftCardTransaction,
    Voucher,
)
from vouchers.services import codes_release

from .best_available import (
    BEST_STEPS,
    CHECKS,
    CHOOSE_FIRST,
    SEAT_ROWS,
    TICKET_ROWS,
    SeatChoice,
    key_body,
    seat_in_conflict,
)
from .models import (
    SEAT_TAKEN_CONSTRAINT,
    IdempotencyRecord,
    Order,
    OrderLine,
    SeatHolding,
    TakenSeat,
    Ticket,
    WaitlistEntry,
    WaitlistStatus,
)

CAP_CONSTRAINT = "seatholding_within_cap"
KEY_CONSTRAINT = "idempotency_one_per_customer_key"
# marquee_refuse()'s SQLSTATE: a line's category no longer matches what was read.
LINES_CHANGED_SQLSTATE = "MQ001"


class Failure(enum.Enum):
    KEY_TAKEN = "key_taken"  # the idempotency key exists: replay, or 422 for another body
    LIMIT = "limit"          # the per-person cap would be passed
    NOT_SOLD = "not_sold"    # not enough seats, or sales closed
    CATEGORY_SOLD_OUT = "category_sold_out"  # a category's quota would be passed
    LINES_CHANGED = "lines_changed"  # a category's price or rules changed meanwhile
    BUSY = "busy"            # the database's lock_timeout expired (another request holds it)
    SEAT_TAKEN = "seat_taken"  # a seat asked for is sold, held or blocked (seated)
    SEATS_REQUIRED = "seats_required"  # a seated performance's sale without its seats
    VOUCHER_USED_UP = "voucher_used_up"  # the voucher's uses would pass its maximum
    VOUCHER_CHANGED = "voucher_changed"  # it was deactivated or lapsed meanwhile
    GIFT_CARD_SHORT = "gift_card_short"  # the card's balance is below what was read


# Databases that take the single-statement writer (data-modifying CTEs).
SINGLE_STATEMENT_VENDORS = {"postgresql"}
Key = tuple[str, str, tuple[int, Any]]  # (idempotency key, fingerprint, (status, body))

_PERFORMANCE = Performance._meta.db_table
_CATEGORY = PriceCategory._meta.db_table
_LINE = OrderLine._meta.db_table
_HOLDING = SeatHolding._meta.db_table
_ORDER = Order._meta.db_table
_TICKET = Ticket._meta.db_table
_KEY = IdempotencyRecord._meta.db_table
_WAITLIST = WaitlistEntry._meta.db_table
_TAKEN = TakenSeat._meta.db_table
_SEATED = "seating_performancelayout"

# Seats go to the waiting list before general sale: while someone waits (and the list is
# on), only an offer to them (%(offer)s) may take freed seats (tickets/waitlist.py).
_LIST_FIRST = (f"(%(offer)s OR NOT (waitlist_enabled AND EXISTS (SELECT 1 FROM {_WAITLIST} w "  # noqa: S608  # nosec B608
               f"WHERE w.performance_id = {_PERFORMANCE}.id AND w.status = 'waiting')))")
# Table names come from our models' _meta; every value is a bound parameter.
# What any sale needs besides room: not cancelled, within its sales times, list first.
_GUARDS = ("NOT cancelled AND COALESCE(sales_end_at, starts_at) > %(now)s "
           f"AND (on_sale_at IS NULL OR on_sale_at <= %(now)s) AND {_LIST_FIRST}")
# K = 1: the performance row is the seat counter.
_SELL = (f"UPDATE {_PERFORMANCE} SET seats_sold = seats_sold + %(n)s "  # noqa: S608  # nosec B608
         f"WHERE id = %(performance)s AND counter_rows = 1 AND {_GUARDS} "
         "AND seats_sold + %(n)s <= capacity RETURNING id")
# K > 1 (shows/counters.py): the performance row is not written, only read FOR KEY SHARE
# (the lock the order's foreign key takes anyway, which sales share: a cancellation's FOR
# UPDATE makes it wait and look at the guards again), then the seats are taken from its
# counter rows (marquee_seats_take, shows' migration 0007). A K changed meanwhile matches
# neither form: not sold.
_GUARD_SPLIT = (f"SELECT id, counter_rows FROM {_PERFORMANCE} "  # noqa: S608  # nosec B608
                f"WHERE id = %(performance)s AND counter_rows > 1 AND {_GUARDS} FOR KEY SHARE")
_SELL_SPLIT = "SELECT id FROM p0 WHERE marquee_seats_take(id, %(n)s, counter_rows)"
# The lines as parallel arrays: category ids, quantities, unit prices.
_LINES = ("unnest(%(categories)s::int[], %(quantities)s::int[], %(prices)s::int[], "
          "%(discounts)s::int[]) AS l(category, n, price, discount)")
# Sells each line's seats of its category; a line matches only while its category is as
# read (this performance's, same price, visible unless revealed, within its per-order max).
_SELL_LINES = (f"UPDATE {_CATEGORY} AS pc SET seats_sold = pc.seats_sold + l.n "  # noqa: S608  # nosec B608
               f"FROM p, {_LINES} WHERE pc.id = l.category AND pc.performance_id = p.id "
               "AND pc.price_cents = l.price AND (%(reveal)s OR NOT pc.hidden) "
               "AND (pc.max_per_order IS NULL OR l.n <= pc.max_per_order) RETURNING pc.id")
_HOLD = (f"INSERT INTO {_HOLDING} AS held (customer_id, performance_id, seats) "  # nosec B608
         "SELECT %(user)s, %(performance)s, %(n)s {source} "
         "ON CONFLICT (customer_id, performance_id) DO UPDATE "
         "SET seats = held.seats + excluded.seats RETURNING seats")
_KEY_INSERT = (f"INSERT INTO {_KEY} (customer_id, key, fingerprint, status_code, body, "
               "created_at) SELECT %(user)s, %(key)s, %(fingerprint)s, %(key_status)s, "
               "%(body)s, %(now)s {source} RETURNING 1")

_ONE_STATEMENT = f"""
WITH p1 AS ({_SELL}),
p0 AS MATERIALIZED ({_GUARD_SPLIT}),
p2 AS ({_SELL_SPLIT}),
p AS (SELECT id FROM p1 UNION ALL SELECT id FROM p2),
c AS ({_SELL_LINES}),
h AS ({_HOLD.format(source="FROM p")}),
o AS (
    INSERT INTO {_ORDER} (id, customer_id, performance_id, quantity, total_cents, currency,
                          status, created_at, updated_at, expires_at, confirmed_at,
                          paid_by_gift_card_cents, voucher_id, voucher_uses,
                          voucher_discount_cents)
    SELECT %(order)s, %(user)s, p.id, %(n)s, %(total)s, %(currency)s, %(status)s,
           %(now)s, %(now)s, %(expires)s, %(confirmed)s, %(gift_amount)s, %(voucher)s,
           %(voucher_uses)s, %(voucher_discount)s FROM p
    RETURNING id),
ol AS (INSERT INTO {_LINE} (order_id, category_id, quantity, unit_price_cents, discount_cents)
       SELECT o.id, l.category, l.n, l.price, l.discount FROM o, {_LINES} RETURNING 1),
{{best_steps}}t AS (INSERT INTO {_TICKET} (order_id, code, category_id, seat_id)
      SELECT o.id, tc.code, tc.category, tc.seat FROM o, {{ticket_rows}} RETURNING 1),
st AS (INSERT INTO {_TAKEN} (performance_id, seat_id, order_id, active)
       SELECT %(performance)s, x.seat, o.id, true FROM o, {{seat_rows}} RETURNING 1),
k AS ({{key_step}}),
cs AS ({{counter_step}}),
e AS ({{email_step}}){{codes_steps}}
SELECT {{seats_first}}(SELECT count(*) FROM p), (SELECT count(*) FROM h), (SELECT count(*) FROM t),
       (SELECT count(*) FROM k), (SELECT count(*) FROM e), (SELECT count(*) FROM ol),
       CASE WHEN (SELECT count(*) FROM p) = 1 AND (SELECT count(*) FROM c) <> %(lines)s
            THEN marquee_refuse('lines_changed') END,
       CASE WHEN (SELECT count(*) FROM p) = 1 AND (SELECT count(*) FROM st) <> %(n)s
                 AND EXISTS (SELECT 1 FROM {_SEATED} WHERE performance_id = %(performance)s)
            THEN marquee_refuse('seats_required') END{{seat_checks}}{{codes_checks}}
"""  # noqa: S608  # nosec B608
# The seats `t` and `st` write: those asked for (ids), or those the statement chose
# (best_available.BEST_STEPS, whose CHECKS answer them in the two columns before the
# codes').
_TICKET_ROWS = ("unnest(%(codes)s::varchar[], %(ticket_categories)s::int[], "
                "%(ticket_seats)s::bigint[]) AS tc(code, category, seat)")
_SEAT_ROWS = "unnest(%(seats)s::bigint[]) AS x(seat)"
_SEAT_CHECKS = ",\n       NULL, NULL"
# A confirmed order's confirmation email is owed exactly when the order exists: its row
# (notifications.models.OrderEmail, queued) is written by the same statement.
_EMAIL_INSERT = (f"INSERT INTO {OrderEmail._meta.db_table} (id, order_id, kind, status, "  # noqa: S608  # nosec B608
                 "recipient, attempts, created_at, last_error, message_id, requested_by) "
                 "SELECT %(email)s, o.id, 'confirmation', 'queued', '', 0, %(now)s, '', '', '' "
                 "FROM o RETURNING 1")


# A box-office sale's own row (staff.models.CounterSale: who sold it, how it is paid),
# written with its order, so that a counter sale is this one statement too (staff/counter.py).
# Named by its table, as _SEATED is: tickets does not import the staff app.
_COUNTER_SALE = "staff_countersale"
_COUNTER_STEP = (f"INSERT INTO {_COUNTER_SALE} (order_id, sold_by_id, sold_at, method, "  # noqa: S608  # nosec B608
                 "list_price_cents, comp_reason, customer_name, customer_email, paid_method, "
                 "paid_by_id, paid_at, amount_cents, given_cents, change_cents) "
                 "SELECT o.id, %(cs_sold_by)s, %(now)s, %(cs_method)s, %(cs_list_price)s, "
                 "%(cs_reason)s, %(cs_name)s, %(cs_email)s, %(cs_paid_method)s, %(cs_paid_by)s, "
                 "%(cs_paid_at)s, %(cs_amount)s, %(cs_given)s, %(cs_change)s FROM o RETURNING 1")
# (its count, paired with NULL as the codes' checks are: see _in_one_statement)
_COUNTER_CHECK = ",\n       (SELECT count(*) FROM cs), NULL"


@dataclass(frozen=True)
class CounterRow:
    """A counter sale's row (staff.models.CounterSale's columns but the order and sold_at,
    which are the reservation's order and `now`)."""

    sold_by_id: int
    method: str
    list_price_cents: int
    comp_reason: str = ""
    customer_name: str = ""
    customer_email: str = ""
    paid_method: str = ""
    paid_by_id: int | None = None
    paid_at: dt.datetime | None = None
    amount_cents: int = 0
    given_cents: int | None = None
    change_cents: int = 0


def _counter_params(row: CounterRow | None) -> dict[str, Any]:
    if row is None:
        return {"counter": False}
    return {"counter": True, "cs_sold_by": row.sold_by_id, "cs_method": row.method,
            "cs_list_price": row.list_price_cents, "cs_reason": row.comp_reason,
            "cs_name": row.customer_name, "cs_email": row.customer_email,
            "cs_paid_method": row.paid_method, "cs_paid_by": row.paid_by_id,
            "cs_paid_at": row.paid_at, "cs_amount": row.amount_cents,
            "cs_given": row.given_cents, "cs_change": row.change_cents}


# A voucher's uses and a gift card's amount, taken after the seats (lock order: performance
# → categories → holding → voucher → gift card, as in release_seats): the voucher's CHECK
# (uses ≤ max_uses) and the card's (balance ≥ 0) abort the statement when a parallel one
# took what was left; a voucher deactivated or lapsed meanwhile matches no row, and the
# statement refuses itself (marquee_refuse). The voucher's use is recorded on the order row
# (`o`: voucher_id, voucher_uses, voucher_discount_cents), not in a row of its own: one
# write fewer while the hot performance's row is locked.
_VOUCHER_STEPS = """,
v AS (SELECT x.id FROM (SELECT marquee_voucher_take(%(voucher)s, %(voucher_uses)s, %(now)s) AS id
                        FROM p) AS x WHERE x.id IS NOT NULL)"""
# (marquee_voucher_take, vouchers' migration 0004: the UPDATE in a function of its own, with
# a fresh snapshot, so that it does not re-check the voucher's row that the buyer ahead
# committed while this statement waited for the performance's row.)
# A voucher without a use limit keeps no count on its row (its uses are its orders'): it is
# read, not written, so that a venue-wide code is not a second hot row that every sale of
# every performance writes. FOR KEY SHARE (the lock its order's foreign key takes anyway)
# makes staff's setting a limit (the admin's save: vouchers.services.voucher_uses_live, FOR
# UPDATE) wait for the sales in flight, and a sale after it re-check the row: limited now,
# it refuses itself (and tickets.services decides it again, counted).
_VOUCHER_READ_STEP = (f""",
v AS (SELECT vv.id FROM {Voucher._meta.db_table} AS vv, p
      WHERE vv.id = %(voucher)s AND vv.active AND vv.max_uses IS NULL
      AND (vv.valid_from IS NULL OR vv.valid_from <= %(now)s)
      AND (vv.valid_until IS NULL OR vv.valid_until > %(now)s) FOR KEY SHARE OF vv)""")  # noqa: S608  # nosec B608
_VOUCHER_CHECK = (",\n       (SELECT count(*) FROM v), CASE WHEN (SELECT count(*) FROM p) = 1 "
                  "AND (SELECT count(*) FROM v) <> 1 THEN marquee_refuse('voucher_changed') END")
_GIFT_STEPS = (f""",
g AS (UPDATE {GiftCard._meta.db_table} AS gc SET balance_cents = gc.balance_cents - %(gift_amount)s
      FROM p WHERE gc.id = %(gift_card)s AND gc.expires_at > %(now)s
      RETURNING gc.id, gc.balance_cents),
gt AS (INSERT INTO {GiftCardTransaction._meta.db_table} (gift_card_id, kind, amount_cents,
                   balance_after_cents, order_id, reason, created_at)
       SELECT g.id, 'redeem', -%(gift_amount)s, g.balance_cents, o.id, '', %(now)s FROM g, o
       RETURNING 1)""")  # noqa: S608  # nosec B608
_GIFT_CHECK = (",\n       (SELECT count(*) FROM gt), CASE WHEN (SELECT count(*) FROM p) = 1 "
               "AND (SELECT count(*) FROM g) <> 1 THEN marquee_refuse('voucher_changed') END")


def write_reservation(*, order: Order, lines: list[OrderLine], tickets: list[Ticket],
                      now: dt.datetime, key: Key | None, offer: bool = False,
                      reveal: bool = False, email_id: uuid.UUID | None = None,
                      seats: list[int] | None = None,
                      codes: Codes | None = None,
                      counter: CounterRow | None = None,
                      best: SeatChoice | None = None) -> Failure | None:
    """Write everything, or nothing and say why. `lines`: one per category, their
    quantities adding up to `order.quantity`. `offer`: seats offered to the head of the
    waiting list (only then may a sale pass people who wait). `reveal`: hidden categories
    may be sold (a voucher revealed them). `email_id`: also write the confirmation email's
    row, with this id (a confirmed order). `seats`: the seats it takes (a seated
    performance: exactly `order.quantity` of them, or it refuses SEATS_REQUIRED). `codes`:
    the voucher's uses and the gift card's amount to take (vouchers.checkout). `counter`:
    also write the box office's row of the sale (staff/counter.py). `best` (PostgreSQL
    only): the statement chooses the seats (best available) and fills `best.chosen`, or
    `best.refused` on SEAT_TAKEN; `seats` is then unused."""
    if codes is not None and codes.voucher_id is not None:  # the order row records its use
        order.voucher_id, order.voucher_uses = codes.voucher_id, codes.voucher_uses
        order.voucher_discount_cents = codes.voucher_discount
    params = {**_params(order, lines, tickets, now, key), "offer": offer, "reveal": reveal,
              "email": email_id, "seats": list(seats or []), **_code_params(codes),
              **_counter_params(counter), **(best.params() if best else {})}
    try:
        if connection.vendor in SINGLE_STATEMENT_VENDORS:
            return _in_one_statement(params, len(tickets), key is not None, best)
        return _in_steps(order, lines, tickets, params, key is not None, counter)
    except OperationalError as exc:
        # lock_not_available: only where the database role sets a lock_timeout (DEPLOY.md).
        if getattr(exc.__cause__, "pgcode", None) == "55P03":
            return Failure.BUSY
        raise
    except IntegrityError as exc:
        failure = _refusal(exc, keyed=key is not None)
        if best is not None and failure is Failure.SEAT_TAKEN:
            best.refused = seat_in_conflict(exc)
        return failure
    except DatabaseError as exc:
        if getattr(exc.__cause__, "pgcode", None) == LINES_CHANGED_SQLSTATE:
            if "seats_required" in str(exc):
                return Failure.SEATS_REQUIRED
            return Failure.VOUCHER_CHANGED if "voucher_changed" in str(exc) \
                else Failure.LINES_CHANGED
        raise


def _refusal(exc: IntegrityError, *, keyed: bool) -> Failure:
    """The constraint that refused the statement, as a Failure; re-raises any other."""
    constraint = getattr(getattr(exc.__cause__, "diag", None), "constraint_name", None)
    if constraint == CAP_CONSTRAINT or CAP_CONSTRAINT in str(exc):
        return Failure.LIMIT
    if constraint == CATEGORY_QUOTA_CONSTRAINT or CATEGORY_QUOTA_CONSTRAINT in str(exc):
        return Failure.CATEGORY_SOLD_OUT
    if constraint == SEAT_TAKEN_CONSTRAINT or SEAT_TAKEN_CONSTRAINT in str(exc) or (
            f"{_TAKEN}.seat_id" in str(exc)):  # SQLite names the columns
        return Failure.SEAT_TAKEN
    if constraint == KEY_CONSTRAINT or KEY_CONSTRAINT in str(exc) or (
            keyed and "idempotencyrecord" in str(exc)):
        return Failure.KEY_TAKEN
    if constraint == VOUCHER_USES_CONSTRAINT or VOUCHER_USES_CONSTRAINT in str(exc):
        return Failure.VOUCHER_USED_UP
    if constraint == GIFT_CARD_BALANCE_CONSTRAINT or GIFT_CARD_BALANCE_CONSTRAINT in str(exc):
        return Failure.GIFT_CARD_SHORT
    raise exc


def _params(order: Order, lines: list[OrderLine], tickets: list[Ticket], now: dt.datetime,
            key: Key | None) -> dict[str, Any]:
    params = {
        "user": order.customer_id, "performance": order.performance_id, "n": order.quantity,
        "now": now, "order": order.id,
        "total": order.total_cents, "currency": order.currency, "status": order.status,
        "expires": order.expires_at, "confirmed": order.confirmed_at,
        "categories": [line.category_id for line in lines],
        "quantities": [line.quantity for line in lines],
        "prices": [line.unit_price_cents for line in lines], "lines": len(lines),
        "discounts": [line.discount_cents for line in lines],
        "codes": [t.code for t in tickets],
        "ticket_categories": [t.category_id for t in tickets],
        "ticket_seats": [t.seat_id for t in tickets],
    }
    if key is not None:
        value, fingerprint, (status, body) = key
        params.update(key=value, fingerprint=fingerprint, key_status=status,
                      body=json.dumps(body))
    return params


@dataclass(frozen=True)
class Codes:
    """What a voucher and a gift card take in the reservation (vouchers.checkout)."""

    voucher_id: int | None = None
    voucher_uses: int = 0
    voucher_discount: int = 0
    gift_card_id: int | None = None
    gift_amount: int = 0
    voucher_counted: bool = True  # False: a voucher without a use limit (_VOUCHER_READ_STEP)


def _code_params(codes: Codes | None) -> dict[str, Any]:
    codes = codes or Codes()
    return {"voucher": codes.voucher_id, "voucher_uses": codes.voucher_uses,
            "voucher_counted": codes.voucher_counted,
            "voucher_discount": codes.voucher_discount, "gift_card": codes.gift_card_id,
            "gift_amount": codes.gift_amount}


def _voucher_step(params: dict[str, Any]) -> str:
    return _VOUCHER_STEPS if params["voucher_counted"] else _VOUCHER_READ_STEP


def _in_one_statement(params: dict[str, Any], seats: int, keyed: bool,
                      best: SeatChoice | None = None) -> Failure | None:
    key_step = _KEY_INSERT.format(source="WHERE EXISTS (SELECT 1 FROM o)") if keyed \
        else "SELECT 1"
    if keyed and best is not None:  # its response with the seats chosen
        key_step = key_step.replace("%(body)s", key_body(seats=params["n"], tickets=seats))
    # Its own transaction in production (autocommit); a savepoint when a caller (a test)
    # already holds one, so that a constraint error does not poison it.
    email_step = _EMAIL_INSERT if params["email"] else "SELECT 1"
    scope = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
    voucher, gift = params["voucher"] is not None, params["gift_card"] is not None
    sql = (_ONE_STATEMENT.replace("{key_step}", key_step).replace("{email_step}", email_step)
           .replace("{codes_steps}", (_voucher_step(params) if voucher else "")
                    + (_GIFT_STEPS if gift else ""))
           .replace("{codes_checks}", (_VOUCHER_CHECK if voucher else "")
                    + (_GIFT_CHECK if gift else "")
                    + (_COUNTER_CHECK if params["counter"] else ""))
           .replace("{counter_step}", _COUNTER_STEP if params["counter"] else "SELECT 1")
           .replace("{best_steps}", BEST_STEPS if best else "")
           .replace("{ticket_rows}", TICKET_ROWS if best else _TICKET_ROWS)
           .replace("{seat_rows}", SEAT_ROWS if best else _SEAT_ROWS)
           .replace("{seat_checks}", CHECKS if best else _SEAT_CHECKS)
           .replace("{seats_first}", CHOOSE_FIRST if best else ""))
    with scope, connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
        sold, held, issued, stored, owed, lined, _, _, chosen, _, *codes = row[1:] if best else row
    if not sold:
        return Failure.NOT_SOLD
    if best is not None:
        best.take(chosen)
    if not (held and issued == seats and stored and owed
            and lined == params["lines"] and all(codes[::2])):  # only if the SQL is broken
        raise RuntimeError(f"partial reservation: {held=} {issued=} {stored=} {owed=} "
                           f"{lined=} {codes=}")
    return None


class _RollBack(Exception):
    def __init__(self, failure: Failure) -> None:
        self.failure = failure


def _in_steps(order: Order, lines: list[OrderLine], tickets: list[Ticket],
              params: dict[str, Any], keyed: bool,
              counter: CounterRow | None = None) -> Failure | None:
    try:
        with transaction.atomic(durable=not connection.in_atomic_block):
            if not _sell_in_steps(order, params["now"], offer=params["offer"]):
                raise _RollBack(Failure.NOT_SOLD)
            for line in lines:
                matching = PriceCategory.objects.filter(
                    Q(max_per_order__isnull=True) | Q(max_per_order__gte=line.quantity),
                    pk=line.category_id, performance_id=order.performance_id,
                    price_cents=line.unit_price_cents)
                if not params["reveal"]:
                    matching = matching.filter(hidden=False)
                if not matching.update(seats_sold=F("seats_sold") + line.quantity):
                    raise _RollBack(Failure.LINES_CHANGED)
            _execute(_HOLD.format(source=""), params)
            order.save(force_insert=True)
            OrderLine.objects.bulk_create(lines)
            Ticket.objects.bulk_create(tickets)
            with transaction.atomic():  # a seat taken: only this savepoint is poisoned
                TakenSeat.objects.bulk_create([
                    TakenSeat(performance_id=order.performance_id, seat_id=seat, order=order)
                    for seat in params["seats"]])
            if len(params["seats"]) != order.quantity and _is_seated(order.performance_id):
                raise _RollBack(Failure.SEATS_REQUIRED)
            if keyed:
                _execute(_KEY_INSERT.format(source=""), params)
            if params["email"]:
                OrderEmail.objects.create(id=params["email"], order=order,
                                          kind=EmailKind.CONFIRMATION, created_at=params["now"])
            _codes_in_steps(order, params)
            if counter is not None:  # the ORM form of _COUNTER_STEP
                apps.get_model("staff", "CounterSale").objects.create(
                    order=order, sold_at=params["now"], **dataclasses.asdict(counter))
    except _RollBack as rollback:
        return rollback.failure
    return None


def _codes_in_steps(order: Order, params: dict[str, Any]) -> None:
    """The ORM form of _VOUCHER_STEPS and _GIFT_STEPS (inside _in_steps' transaction)."""
    now = params["now"]
    if params["voucher"] is not None:
        valid = Voucher.objects.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=now),
            Q(valid_until__isnull=True) | Q(valid_until__gt=now),
            pk=params["voucher"], active=True)
        if not (valid.update(uses=F("uses") + params["voucher_uses"])
                if params["voucher_counted"] else valid.filter(max_uses__isnull=True).exists()):
            raise _RollBack(Failure.VOUCHER_CHANGED)
    if params["gift_card"] is not None:
        if not GiftCard.objects.filter(pk=params["gift_card"], expires_at__gt=now).update(
                balance_cents=F("balance_cents") - params["gift_amount"]):
            raise _RollBack(Failure.VOUCHER_CHANGED)
        balance = GiftCard.objects.values_list("balance_cents", flat=True).get(
            pk=params["gift_card"])
        GiftCardTransaction.objects.create(gift_card_id=params["gift_card"], kind="redeem",
                                           amount_cents=-params["gift_amount"],
                                           balance_after_cents=balance, order=order,
                                           created_at=now)


def take_seats_again(*, order: Order, now: dt.datetime) -> bool:
    """Sell a released order's seats again (a payment that arrived after its hold lapsed),
    with the same guards as a reservation: the conditional seat UPDATE, the categories'
    quotas and the holding's per-person CHECK. Inside the caller's transaction; False
    changes nothing. Not for an order that used a voucher or a gift card: their use was
    given back when it lapsed, and may be gone (it is refunded instead)."""
    if order.paid_by_gift_card_cents or order.voucher_id is not None:
        return False
    try:
        with transaction.atomic():
            if not _sell_in_steps(order, now, offer=False):
                raise _RollBack(Failure.NOT_SOLD)
            _categories_move(order, +1)
            _execute(_HOLD.format(source=""), {"user": order.customer_id,
                                               "performance": order.performance_id,
                                               "n": order.quantity})
            # Its seats, if seated: taken again only if nobody took them meanwhile.
            TakenSeat.objects.filter(order=order, active=False).update(active=True)
    except _RollBack:
        return False
    except IntegrityError as exc:
        if _refusal(exc, keyed=False) in (Failure.LIMIT, Failure.CATEGORY_SOLD_OUT,
                                          Failure.SEAT_TAKEN):
            return False
        raise
    return True


_MOVE_CATEGORIES = (f"UPDATE {_CATEGORY} SET seats_sold = {_CATEGORY}.seats_sold "  # noqa: S608  # nosec B608
                    f"+ %(sign)s * l.quantity FROM {_LINE} l "
                    f"WHERE l.order_id = %(order)s AND l.category_id = {_CATEGORY}.id")


def _categories_move(order: Order, sign: int) -> None:
    """Count (+1) or give back (-1) the order's seats in its lines' categories."""
    with connection.cursor() as cursor:
        # The uuid as the backend stores it (SQLite: 32 hex digits, and no uuid adapter).
        cursor.execute(_MOVE_CATEGORIES, {"sign": sign, "order": Order._meta.pk.get_db_prep_value(
            order.pk, connection)})


def _sell_in_steps(order: Order, now: dt.datetime, *, offer: bool) -> bool:
    """Count the order's seats (ORM form of _SELL and _SELL_SPLIT): on the performance row
    at K = 1, else on its counter rows (shows.counters.counters_take). False: not sold."""
    if _for_sale(order, now, offer=offer).filter(counter_rows=1).update(
            seats_sold=F("seats_sold") + order.quantity):
        return True
    return _for_sale(order, now, offer=offer, split=True).exists() and counters_take(
        performance_id=order.performance_id, seats=order.quantity)


def _for_sale(order: Order, now: dt.datetime, *, offer: bool,
              split: bool = False) -> QuerySet[Performance]:
    """The performance, if `order.quantity` seats of it may be sold now (ORM form of
    _SELL's guards; `split`: of _SELL_SPLIT's, the room being its counter rows')."""
    waiting = WaitlistEntry.objects.filter(performance=OuterRef("pk"),
                                           status=WaitlistStatus.WAITING)
    found = Performance.objects.filter(
        Q(sales_end_at__gt=now) | Q(sales_end_at__isnull=True, starts_at__gt=now),
        Q(on_sale_at__isnull=True) | Q(on_sale_at__lte=now),
        pk=order.performance_id, cancelled=False)
    found = found.filter(counter_rows__gt=1) if split else found.filter(
        seats_sold__lte=F("capacity") - order.quantity)
    return found if offer else found.exclude(Q(waitlist_enabled=True) & Exists(waiting))


def release_seats(*, order: Order, gift_card_kept_cents: int = 0) -> None:
    """Give an order's seats back (it was pending or confirmed and no longer is), in the
    lock order of the reservation: performance, categories, then holding. Inside the caller's
    transaction, after the conditional status UPDATE that makes this happen once. Its codes
    are given back too, less `gift_card_kept_cents` (vouchers.services.codes_release)."""
    _uncount(order)
    _categories_move(order, -1)
    SeatHolding.objects.filter(customer_id=order.customer_id,
                               performance_id=order.performance_id).update(
        seats=F("seats") - order.quantity)
    TakenSeat.objects.filter(order=order, active=True).update(active=False)
    codes_release(order=order, gift_card_kept_cents=gift_card_kept_cents)


def _uncount(order: Order) -> None:
    """Take the order's seats off the count: the performance row's at K = 1 (one UPDATE,
    as ever); at K > 1 under the performance row's lock (FOR NO KEY UPDATE, as the UPDATE
    takes), from its counter rows (locked in slot order: shows.counters.counters_give).
    A K changed meanwhile is looked at again."""
    for _ in range(3):
        if Performance.objects.filter(pk=order.performance_id, counter_rows=1).update(
                seats_sold=F("seats_sold") - order.quantity):
            return
        locked = list(Performance.objects.select_for_update(no_key=True).filter(
            pk=order.performance_id, counter_rows__gt=1).values_list("pk", flat=True))
        if locked and counters_give(performance_id=order.performance_id,
                                    seats=order.quantity):
            return
    raise RuntimeError(f"order {order.pk}: its seats were counted nowhere")


def _is_seated(performance_id: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {_SEATED} WHERE performance_id = %s",  # noqa: S608  # nosec B608
                       [performance_id])
        return cursor.fetchone() is not None


def _execute(sql: str, params: dict[str, Any]) -> None:
    """Run `sql` with only the parameters it names (SQLite binds every one it is given)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, {k: v for k, v in params.items() if f"%({k})s" in sql})
