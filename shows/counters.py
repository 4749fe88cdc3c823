"""A hot performance's seat count, split over K rows (Performance.counter_rows).

One row takes about 750-2,000 updates a second here (each holds the row until its WAL is
flushed; bench/split_counters.py), whatever the hardware around it. With K > 1 the count lives in K
PerformanceCounter rows that share the capacity, each CHECKed within its share: a
reservation adds its seats to one row (the database function marquee_seats_take, from a
random row, falling over to the next with room, and for the last seats spread over rows,
every row locked in slot order), so K reservations proceed at once and none can oversell.
The performance row's own seats_sold stays 0 then; the exact count is its seats_sold plus
its rows' (`PerformanceCounter.objects.counted`, `with_counted`, `SOLD_SQL`). The rows
follow the capacity and K on every save of the performance (PerformanceCounter.objects.resplit,
shows/models.py).

Lock order (shared with tickets.reservation_sql): the performance row, then the counter
rows in slot order, then the categories. A reservation at K > 1 takes the performance row
FOR KEY SHARE (which sales share, and its order's foreign key takes anyway; a cancellation's
FOR UPDATE stops it) and locks one counter row, never waiting while it holds one (or all of
them, in slot order, holding none before); a release, a waiting-list offer and a re-split
lock the performance row FOR NO KEY UPDATE (not FOR UPDATE: a sale holding a counter row
must not wait on them for its foreign key), then every counter row in slot order.
"""

from __future__ import annotations

import random

from django.db.models import (
    Case,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from .models import Performance, PerformanceCounter

_COUNTER = PerformanceCounter._meta.db_table
# The exact seat count in SQL, for a query over `shows_performance p` (the hand-written
# selectors): no subquery at K = 1.
SOLD_SQL = (f"CASE WHEN p.counter_rows = 1 THEN 0 ELSE COALESCE((SELECT sum(k.sold) "  # noqa: S608  # nosec B608
            f"FROM {_COUNTER} k WHERE k.performance_id = p.id), 0) END")


def with_counted(performances: QuerySet[Performance]) -> QuerySet[Performance]:
    """Annotates `counted_sold`, so that `seats_sold_exact` and `seats_left` ask nothing."""
    rows = (PerformanceCounter.objects.filter(performance=OuterRef("pk"))
            .values("performance").annotate(n=Sum("sold")).values("n"))
    return performances.annotate(counted_sold=Case(
        When(counter_rows=1, then=Value(0)),
        default=Coalesce(Subquery(rows, output_field=IntegerField()), 0)))


def counters_locked(performance: Performance) -> None:
    """Lock a performance's counter rows in slot order (K > 1; its own row first, FOR NO
    KEY UPDATE, by the caller) and note their exact count on it: until the transaction
    ends, no reservation changes `performance.seats_left` but the caller's own."""
    if performance.counter_rows > 1:
        performance.counted_sold = sum(
            row.sold for row in PerformanceCounter.objects.locked(performance.pk))


def _rotated(rows: list[PerformanceCounter]) -> list[PerformanceCounter]:
    start = random.randrange(len(rows))  # noqa: S311  # nosec B311 — spreads load only
    return rows[start:] + rows[:start]


def counters_take(*, performance_id: int, seats: int) -> bool:
    """Add `seats` to the counter rows (the steps form of marquee_seats_take: SQLite, and
    a late payment's retake): one row with room for all of them if there is one, else
    spread. Inside the caller's transaction; False (nothing changed) without room."""
    rows = PerformanceCounter.objects.locked(performance_id)
    if not rows or sum(row.capacity - row.sold for row in rows) < seats:
        return False
    one = next((row for row in _rotated(rows) if row.capacity - row.sold >= seats), None)
    _move(rows if one is None else [one], seats, room=lambda row: row.capacity - row.sold)
    return True


def counters_give(*, performance_id: int, seats: int) -> bool:
    """Take `seats` back from the counter rows (a release): from one row that counts them
    all if there is one, else spread. Inside the caller's transaction, which holds the
    performance row's lock (FOR NO KEY UPDATE). False (nothing changed) when the
    performance has no rows."""
    rows = PerformanceCounter.objects.locked(performance_id)
    if not rows:
        return False
    if sum(row.sold for row in rows) < seats:
        raise RuntimeError(f"performance {performance_id}: releasing {seats} seats its "
                           "counter rows do not count")
    one = next((row for row in _rotated(rows) if row.sold >= seats), None)
    _move(rows if one is None else [one], -seats, room=lambda row: row.sold)
    return True


def _move(rows: list[PerformanceCounter], seats: int, *, room) -> None:
    """Add `seats` (take back, if negative) over `rows` in order, each as far as it has
    `room` for."""
    need = abs(seats)
    for row in rows:
        moved = min(need, room(row))
        if moved:
            PerformanceCounter.objects.filter(pk=row.pk).update(
                sold=F("sold") + (moved if seats > 0 else -moved))
            need -= moved
        if not need:
            return
