"""Seats of seated performances: which seats a reservation takes, best available, blocks.

Reads here are one query each: the seats asked for with their categories, or the seats
best available is chosen from (every seat of the layout in the asked zones, with whether
it is taken). The reservation statement (reservation_sql) then writes the seats it takes
as TakenSeat rows beside the counts; a seat taken meanwhile violates their UNIQUE index
and aborts the whole statement (409 seat_taken), so a choice read stale is never sold
twice. Best available chooses again when that happens. On PostgreSQL the statement
chooses best available itself (tickets/best_available.py, the same rules as seats_best
here, which SQLite uses and which says why the statement found no seats).
"""

from __future__ import annotations

import base64
from collections import defaultdict
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Subquery

from seating.models import PerformanceLayout, Seat, Section, Zone, seat_label
from shows import cache as shows_cache
from shows.models import Performance

from . import errors
from .models import SEAT_TAKEN_CONSTRAINT, Order, TakenSeat, Ticket

BEST_AVAILABLE_ATTEMPTS = 4  # a fresh choice after each seat taken meanwhile


@dataclass(frozen=True)
class Pick:
    """A seat a reservation takes, in its zone's category."""

    seat: Seat
    category_id: int


def _seat(pk: int, section: str, row: str, number: str) -> Seat:
    seat = Seat(id=pk, row=row, number=number)
    seat.section = Section(name=section)
    seat._state.adding = False
    return seat


# The seats asked for with their categories: hand-written, as the reservation's other read
# (shows.selectors.performance_for_sale): the ORM's compilation would cost as much as the
# query on this hot path.
_REQUESTED_SQL = """
SELECT s.id, sec.name, s.row, s.number, z.category_id
FROM seating_seat s JOIN seating_section sec ON sec.id = s.section_id
JOIN seating_performancelayout pl ON pl.layout_id = s.layout_id AND pl.performance_id = %s
JOIN seating_zone z ON z.performance_id = pl.performance_id AND z.zone = s.zone
WHERE s.id IN ({ids})
"""


def seats_requested(*, performance_id: int, seat_ids: list[int]) -> list[Pick]:
    """The seats asked for, each in its zone's category, or 422 when one is not a seat of
    this performance's layout (or its zone is not on sale). One query."""
    wanted = list(dict.fromkeys(seat_ids))
    with connection.cursor() as cursor:
        cursor.execute(_REQUESTED_SQL.format(ids=", ".join(["%s"] * len(wanted))),
                       [performance_id, *wanted])
        rows = cursor.fetchall()
    picks = {pk: Pick(_seat(pk, section, row, number), category)
             for pk, section, row, number, category in rows}
    missing = [pk for pk in wanted if pk not in picks]
    if missing:
        raise errors.SeatsInvalid(seats=missing)
    return [picks[pk] for pk in wanted]


# Every seat of the performance's layout with its category (NULL: zone not on sale) and
# whether it is taken: what best available chooses from.
_LAYOUT_SQL = """
SELECT s.id, s.section_id, sec.name, s.row, s.number, s.position, s.row_rank, s.x,
       z.category_id, t.id IS NOT NULL, s.wheelchair, s.companion, s.restricted_view
FROM seating_performancelayout pl JOIN seating_seat s ON s.layout_id = pl.layout_id
JOIN seating_section sec ON sec.id = s.section_id
LEFT JOIN seating_zone z ON z.performance_id = pl.performance_id AND z.zone = s.zone
LEFT JOIN tickets_takenseat t ON t.performance_id = pl.performance_id AND t.seat_id = s.id
                              AND t.active
WHERE pl.performance_id = %s
"""


def seats_best(*, performance_id: int, lines: list[tuple[int | None, int]],
               wheelchair: bool = False, split: bool = False) -> list[Pick]:
    """Best available: for each line (category, or None for any, and how many), that many
    seats side by side in one row of the category's zones — in the best-ranked row, then
    nearest its centre, avoiding restricted views. Wheelchair spaces (and their companion
    seats) only when asked for, and then the group includes one. A group is never split
    unless `split`: then the best seats apart. One query, whatever the layout's size."""
    categories = {c for c, _ in lines if c is not None}
    with connection.cursor() as cursor:
        cursor.execute(_LAYOUT_SQL, [performance_id])
        seats = cursor.fetchall()
    centres: dict[tuple, list[int]] = defaultdict(list)
    free = []
    for seat in seats:
        (_, section, _, row, _, _, _, x, category, taken, chair, companion, _) = seat
        centres[(section, row)].append(x)
        if taken or category is None or (categories and category not in categories):
            continue
        if (chair or companion) and not wheelchair:
            continue
        free.append(seat)
    centre = {key: (min(xs) + max(xs)) / 2 for key, xs in centres.items()}
    picks: list[Pick] = []
    for category, n in lines:
        eligible = [s for s in free if category is None or s[8] == category]
        chosen = _together(eligible, n, centre, wheelchair)
        if chosen is None:
            if len(eligible) < n:
                raise errors.SoldOut(seats_left=len(eligible))
            if not split:
                raise errors.NoAdjacentSeats()
            chosen = sorted(eligible, key=lambda s: _score([s], centre))[:n]
        taken_ids = {s[0] for s in chosen}
        free = [s for s in free if s[0] not in taken_ids]
        picks += [Pick(_seat(s[0], s[2], s[3], s[4]), s[8]) for s in chosen]
    return picks


def _together(seats: list[tuple], n: int, centre: dict, wheelchair: bool) -> list | None:
    rows: dict[tuple, list[tuple]] = defaultdict(list)
    for seat in seats:
        rows[(seat[1], seat[3])].append(seat)
    best, best_score = None, None
    for row in rows.values():
        row.sort(key=lambda s: s[5])
        for start in range(len(row) - n + 1):
            block = row[start:start + n]
            if block[-1][5] - block[0][5] != n - 1:  # a gap: taken seat or aisle
                continue
            if wheelchair and not any(s[10] for s in block):
                continue
            score = _score(block, centre)
            if best_score is None or score < best_score:
                best, best_score = block, score
    return best


def _score(block: list[tuple], centre: dict) -> tuple:
    middle = (block[0][7] + block[-1][7]) / 2
    return (sum(1 for s in block if s[12]), block[0][6],
            abs(middle - centre[(block[0][1], block[0][3])]), block[0][0])


def _category(performance_id: int, zone: str = "zone") -> Subquery:
    """A seat's category at the performance: its zone's."""
    return Subquery(Zone.objects.filter(performance_id=performance_id, zone=OuterRef(zone))
                    .values("category_id")[:1])


def seats_taken_among(*, performance_id: int, seat_ids: list[int]) -> list[int]:
    """Which of these seats are sold, held or blocked now (for the 409's list)."""
    return sorted(TakenSeat.objects.filter(performance_id=performance_id, seat_id__in=seat_ids,
                                           active=True).values_list("seat_id", flat=True))


def seats_of_order(*, order: Order) -> list[Pick]:
    """The seats an order holds or bought, in the order they were taken."""
    rows = (TakenSeat.objects.filter(order=order).select_related("seat__section")
            .annotate(category=_category(order.performance_id, "seat__zone")).order_by("id"))
    return [Pick(row.seat, row.category) for row in rows]


def performance_is_seated(*, performance_id: int) -> bool:
    return PerformanceLayout.objects.filter(performance_id=performance_id).exists()


def seats_block(*, performance_id: int, seat_ids: list[int]) -> int:
    """Staff take seats off sale (house seats, a broken seat): they leave the capacity,
    never counted as sold. A seat sold, held or blocked already refuses the whole block
    (409 seat_taken). Lock order as a reservation: performance first."""
    wanted = list(dict.fromkeys(seat_ids))
    valid = set(Seat.objects.filter(pk__in=wanted,
                                    layout__performances__performance_id=performance_id)
                .values_list("id", flat=True))
    if not wanted or valid != set(wanted):
        raise errors.SeatsInvalid(seats=sorted(set(wanted) - valid))
    try:
        with transaction.atomic():
            performance = Performance.objects.select_for_update().select_related("show").get(
                pk=performance_id)
            TakenSeat.objects.bulk_create([TakenSeat(performance_id=performance_id,
                                                     seat_id=pk) for pk in wanted])
            Performance.objects.filter(pk=performance_id).update(
                capacity=F("capacity") - len(wanted))
    except IntegrityError as exc:
        if SEAT_TAKEN_CONSTRAINT not in str(exc) and "takenseat.seat_id" not in str(exc):
            raise
        raise errors.SeatTaken(seats=seats_taken_among(performance_id=performance_id,
                                                       seat_ids=wanted)) from None
    shows_cache.invalidate_seats(slug=performance.show.slug, performance_id=performance_id)
    return len(wanted)


def seats_unblock(*, performance_id: int, seat_ids: list[int]) -> int:
    """Put blocked seats back on sale (back into the capacity). Returns how many."""
    from .waitlist import offers_make_after_commit

    with transaction.atomic():
        performance = Performance.objects.select_for_update().select_related("show").get(
            pk=performance_id)
        released, _ = TakenSeat.objects.filter(performance_id=performance_id,
                                               seat_id__in=seat_ids, order__isnull=True,
                                               active=True).delete()
        if released:
            Performance.objects.filter(pk=performance_id).update(
                capacity=F("capacity") + released)
            offers_make_after_commit(performance_id=performance_id)
    shows_cache.invalidate_seats(slug=performance.show.slug, performance_id=performance_id)
    return released


def describe(seat: Seat) -> dict:
    """A seat as the API and the emails show it."""
    return {"id": int(seat.pk), "section": str(seat.section.name), "row": str(seat.row),
            "number": str(seat.number),
            "label": seat_label(seat.section.name, seat.row, seat.number)}


def seats_wanted(*, performance_id: int, seats: list[int] | None, best_available: bool,
                 lines: list | None, quantity: int | None, split: bool = False,
                 wheelchair: bool = False) -> tuple[list[Pick], list]:
    """The seats a seated reservation takes and its lines (seats per category, in the
    order of the seats), from the seats asked for or best available."""
    from .lines import LineRequest

    if seats is not None:
        if not seats:
            raise errors.SeatsInvalid()
        picks = seats_requested(performance_id=performance_id, seat_ids=seats)
    else:
        wanted = ([(line.category_id, line.quantity) for line in lines] if lines
                  else [(None, quantity or 0)])
        if sum(n for _, n in wanted) < 1:
            raise errors.InvalidQuantity()
        picks = seats_best(performance_id=performance_id, lines=wanted,
                           wheelchair=wheelchair, split=split)
    counts: dict[int, int] = {}
    for pick in picks:
        counts[pick.category_id] = counts.get(pick.category_id, 0) + 1
    # Tickets follow the lines' order: the seats sorted by category as the lines are.
    order = list(counts)
    picks = sorted(picks, key=lambda p: order.index(p.category_id))
    return picks, [LineRequest(category_id=c, quantity=n) for c, n in counts.items()]


def performance_seats(*, performance_id: int) -> dict | None:
    """A seated performance's availability for the seat picker: a bitmap of the taken
    seats (sold, held or blocked) in the layout's seat order (ids ascending; bit i of byte
    i // 8, most significant first), base64; and each zone's category and price. Four
    queries whatever the size: a 2,000-seat house is a 336-character bitmap."""
    seated = (PerformanceLayout.objects.select_related("performance", "layout")
              .filter(performance_id=performance_id,
                      performance__show__published=True).first())
    if seated is None:
        return None
    ids = list(Seat.objects.filter(layout_id=seated.layout_id).order_by("id")
               .values_list("id", flat=True))
    taken = set(TakenSeat.objects.filter(performance_id=performance_id, active=True)
                .values_list("seat_id", flat=True))
    bits = bytearray((len(ids) + 7) // 8)
    for i, pk in enumerate(ids):
        if pk in taken:
            bits[i // 8] |= 0x80 >> (i % 8)
    zones = (Zone.objects.filter(performance_id=performance_id).select_related("category")
             .order_by("zone"))
    performance = seated.performance
    return {
        "performance": performance.pk,
        "layout": seated.layout_id,
        "layout_version": int(seated.layout.updated_at.timestamp()),
        "seats": len(ids),
        "taken": base64.b64encode(bytes(bits)).decode("ascii"),
        "seats_left": max(performance.capacity - performance.seats_sold_exact, 0),
        "currency": performance.currency,
        "zones": [{"zone": z.zone, "category": {"id": z.category_id, "name": z.category.name},
                   "price_cents": z.category.price_cents} for z in zones],
    }


def ticket_seat_label(*, code: str) -> str | None:
    """The seat of the ticket with this code, as door mode shows it; None if unseated."""
    ticket = (Ticket.objects.select_related("seat__section").filter(code=code.strip().upper())
              .first())
    return str(ticket.seat) if ticket is not None and ticket.seat_id else None


_HOUSE_SQL = """
SELECT s.id, sec.name, s.row, s.number, s.x, s.y,
       CASE WHEN t.id IS NULL THEN 'free'
            WHEN t.order_id IS NULL THEN 'blocked'
            WHEN o.status = 'pending' THEN 'held'
            WHEN EXISTS (SELECT 1 FROM tickets_ticket k WHERE k.order_id = o.id
                         AND k.seat_id = s.id AND k.checked_in_at IS NOT NULL)
                 THEN 'checked_in'
            ELSE 'sold' END
FROM seating_performancelayout pl JOIN seating_seat s ON s.layout_id = pl.layout_id
JOIN seating_section sec ON sec.id = s.section_id
LEFT JOIN tickets_takenseat t ON t.performance_id = pl.performance_id AND t.seat_id = s.id
                              AND t.active
LEFT JOIN tickets_order o ON o.id = t.order_id
WHERE pl.performance_id = %s ORDER BY s.id
"""
HOUSE_STATES = ("sold", "held", "free", "blocked", "checked_in")


def house_map(*, performance_id: int) -> dict | None:
    """The house as staff see it on the dashboard: every seat with its state (sold, held,
    free, blocked, checked in), a viewBox to draw them and the count of each. One query."""
    with connection.cursor() as cursor:
        cursor.execute(_HOUSE_SQL, [performance_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    seats = [{"label": seat_label(section, row, number), "x": x, "y": y, "state": state}
             for _, section, row, number, x, y, state in rows]
    xs, ys = [s["x"] for s in seats], [s["y"] for s in seats]
    counts = {state: sum(1 for s in seats if s["state"] == state) for state in HOUSE_STATES}
    return {"seats": seats, "counts": counts,
            "view_box": f"{min(xs) - 8} {min(ys) - 8} {max(xs) - min(xs) + 16} "
                        f"{max(ys) - min(ys) + 16}"}
