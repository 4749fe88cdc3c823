"""Best available chosen by the reservation statement itself (reservation_sql, PostgreSQL).

The statement that takes the seats also chooses them: a few read-only CTEs, placed before
the tickets (`t`) and taken seats (`st`) steps, rank the free seats side by side and hand
their ids to those inserts. So choosing costs no query of its own, whatever the house: a
best-available reservation costs the queries of a general-admission one (shown by
seating/tests/test_best_available_sql.py). Same rules as the Python chooser
(tickets.seating.seats_best, kept for SQLite and for the refusals' details):

- per line (a category, n seats): n free seats with consecutive positions in one row, in
  the zones sold in that category; the best block has the fewest restricted views, then
  the best-ranked row (`row_rank`), then its middle nearest the row's centre, then the
  lowest first seat id;
- wheelchair spaces and companion seats only when asked for, and then the block includes a
  wheelchair space;
- no block: with `split`, the line's n best seats apart; else nothing (the statement then
  refuses itself, `seats_required`, and the caller asks the Python chooser why).

Chosen from the statement's snapshot: a parallel statement may take the same seats; the
taken seats' UNIQUE index makes the later one fail (SEAT_TAKEN), and the service chooses
again with a fresh statement. Table names come from the models' _meta; every value is a
bound parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from seating.models import PerformanceLayout, Seat, Section, Zone, seat_label

from .models import TakenSeat

_SEATED = PerformanceLayout._meta.db_table
_SEAT = Seat._meta.db_table
_SECTION = Section._meta.db_table
_ZONE = Zone._meta.db_table
_TAKEN = TakenSeat._meta.db_table

# bl: the lines (category, n) in order i. bf: the performance's seats, each with its
# category, whether it may be chosen, twice its row's centre (min x + max x, over every
# seat of the row: integers throughout) and running counts of restricted views and
# wheelchair spaces along its row (so a block's counts are two differences). be: each
# line's choosable seats with the seat n-1 further along its row. bb: each line's best
# block of n side by side (a block starts at a seat whose (n-1)th next choosable seat is
# n-1 positions on: no gap, no seat taken). bs: the seats chosen, k their order within the
# line. bo: numbered across the lines, as the tickets are (line by line). Rows are told
# apart by section and label, compared bytewise (COLLATE "C": only equality matters).
BEST_STEPS = f"""
bl AS (SELECT l.category, l.n, l.i FROM unnest(%(best_categories)s::int[],
       %(best_counts)s::int[]) WITH ORDINALITY AS l(category, n, i)),
bf AS (SELECT s.id, s.section_id, s.row COLLATE "C" AS seat_row, s.position, s.row_rank,
              s.x, s.restricted_view::int AS restricted, s.wheelchair::int AS chair,
              z.category_id AS category, min(s.x) OVER w + max(s.x) OVER w AS centre2,
              sum(s.restricted_view::int) OVER r AS restricted_run,
              sum(s.wheelchair::int) OVER r AS chair_run,
              tk.id IS NULL AND z.category_id IS NOT NULL
              AND (%(wheelchair)s OR NOT (s.wheelchair OR s.companion)) AS choosable
       FROM {_SEATED} pl JOIN {_SEAT} s ON s.layout_id = pl.layout_id
       LEFT JOIN {_ZONE} z ON z.performance_id = pl.performance_id AND z.zone = s.zone
       LEFT JOIN {_TAKEN} tk ON tk.performance_id = pl.performance_id AND tk.seat_id = s.id
                             AND tk.active
       WHERE pl.performance_id = %(performance)s
       WINDOW w AS (PARTITION BY s.section_id, s.row COLLATE "C"),
              r AS (w ORDER BY s.position)),
be AS (SELECT bl.i, bl.n, f.*,
              lead(f.position, bl.n - 1) OVER r AS last_position,
              lead(f.x, bl.n - 1) OVER r AS last_x,
              lead(f.restricted_run, bl.n - 1) OVER r - f.restricted_run + f.restricted
                  AS restricted_views,
              lead(f.chair_run, bl.n - 1) OVER r - f.chair_run + f.chair AS chairs
       FROM bl JOIN bf f ON f.choosable AND f.category = bl.category
       WINDOW r AS (PARTITION BY bl.i, f.section_id, f.seat_row ORDER BY f.position)),
bb AS (SELECT b.* FROM bl, LATERAL (
           SELECT be.i, be.n, be.section_id, be.seat_row, be.position FROM be
           WHERE be.i = bl.i AND be.last_position = be.position + be.n - 1
           AND (NOT %(wheelchair)s OR be.chairs > 0)
           ORDER BY be.restricted_views, be.row_rank, abs(be.x + be.last_x - be.centre2),
                    be.id LIMIT 1) b),
bs AS (SELECT be.i, be.id, be.position AS k FROM bb JOIN be ON be.i = bb.i
              AND be.section_id = bb.section_id AND be.seat_row = bb.seat_row
              AND be.position BETWEEN bb.position AND bb.position + bb.n - 1
       UNION ALL
       SELECT a.i, a.id, a.k FROM (
           SELECT be.i, be.n, be.id, row_number() OVER (PARTITION BY be.i ORDER BY
                  be.restricted, be.row_rank, abs(2 * be.x - be.centre2), be.id) AS k
           FROM be WHERE %(split)s AND NOT EXISTS (SELECT 1 FROM bb WHERE bb.i = be.i)) a
       WHERE a.k <= a.n),
bo AS (SELECT row_number() OVER (ORDER BY bs.i, bs.k) AS ord, bs.id AS seat FROM bs),
"""  # noqa: S608  # nosec B608

# The statement's first column: the seats are chosen before `p` locks the performance's row
# (a reservation's hot lock, held to the end of the statement), not while it is held.
CHOOSE_FIRST = "(SELECT count(*) FROM bo), "

# What `t` and `st` insert: the tickets (code, category, the ord-th chosen seat) and the
# seats chosen.
TICKET_ROWS = ("(SELECT c.code, c.category, bo.seat FROM unnest(%(codes)s::varchar[], "
               "%(ticket_categories)s::int[]) WITH ORDINALITY AS c(code, category, ord) "
               "LEFT JOIN bo ON bo.ord = c.ord) AS tc(code, category, seat)")
SEAT_ROWS = "(SELECT seat FROM bo) AS x(seat)"

# The seats chosen, as the statement's answer (ord, id, section, row, number) — and a
# refusal when fewer than asked were found (the caller asks the Python chooser why).
_CHOSEN_JSON = (f"SELECT bo.ord, s.id, sec.name, s.row AS seat_row, s.number FROM bo "  # noqa: S608  # nosec B608
                f"JOIN {_SEAT} s ON s.id = bo.seat JOIN {_SECTION} sec ON sec.id = s.section_id")
CHECKS = (f",\n       (SELECT json_agg(json_build_array(q.ord, q.id, q.name, q.seat_row, q.number) "  # noqa: S608  # nosec B608
          f"ORDER BY q.ord) FROM ({_CHOSEN_JSON}) q), "
          "CASE WHEN (SELECT count(*) FROM p) = 1 AND (SELECT count(*) FROM bo) <> %(n)s "
          "THEN marquee_refuse('seats_required') END")

# The idempotency key's stored response, completed with the seats chosen: the response was
# rendered before the statement with a null per seat (the order's `seats`, each ticket's
# `seat`), each replaced by the chosen seat as tickets.seating.describe writes it.
_SEAT_JSON = ("jsonb_build_object('id', s.id, 'section', sec.name, 'row', s.row, 'number', "
              "s.number, 'label', replace(replace(replace(%(seat_label)s, chr(1), sec.name), "
              "chr(2), s.row), chr(3), s.number))")


def key_body(*, seats: int, tickets: int) -> str:
    """The SQL of the key's body (for _KEY_INSERT's %(body)s) with `seats` chosen seats in
    the order's `seats` and in the first `tickets` tickets' `seat`."""
    body = "%(body)s::jsonb"
    for i in range(seats):
        body = f"jsonb_set({body}, '{{seats,{i}}}', j.seats -> '{i + 1}')"
    for i in range(tickets):
        body = f"jsonb_set({body}, '{{tickets,{i},seat}}', j.seats -> '{i + 1}')"
    return (f"(SELECT {body} FROM (SELECT jsonb_object_agg(bo.ord::text, {_SEAT_JSON}) "  # noqa: S608  # nosec B608
            f"AS seats FROM bo JOIN {_SEAT} s ON s.id = bo.seat "
            f"JOIN {_SECTION} sec ON sec.id = s.section_id) j)")


@dataclass
class SeatChoice:
    """Best available asked of the statement. In: the lines' categories and counts, in the
    order of the tickets; `wheelchair`, `split` (tickets.seating.seats_best). Out, filled
    by reservation_sql.write_reservation: `chosen`, the seats taken (in ticket order), or
    on SEAT_TAKEN `refused`, the seat another sale had just taken."""

    categories: list[int]
    counts: list[int]
    wheelchair: bool = False
    split: bool = False
    chosen: list[Seat] = field(default_factory=list)
    refused: list[int] = field(default_factory=list)

    def params(self) -> dict[str, Any]:
        return {"best_categories": self.categories, "best_counts": self.counts,
                "wheelchair": self.wheelchair, "split": self.split,
                "seat_label": seat_label("\x01", "\x02", "\x03")}

    def take(self, rows: list | None) -> list[Seat]:
        """The statement's answer (CHECKS' first column) as seats, in ticket order."""
        self.chosen = [_seat(pk, section, row, number)
                       for _, pk, section, row, number in sorted(rows or [])]
        return self.chosen


_CONFLICT = re.compile(r"\)=\(\d+, (\d+)\)")


def seat_in_conflict(exc: BaseException) -> list[int]:
    """The seat of a taken-seat UNIQUE violation (PostgreSQL's detail: `Key (performance_id,
    seat_id)=(7, 123) already exists.`), to say which in the 409."""
    detail = getattr(getattr(exc.__cause__, "diag", None), "message_detail", None) or ""
    found = _CONFLICT.search(detail)
    return [int(found.group(1))] if found else []


def _seat(pk: int, section: str, row: str, number: str) -> Seat:
    seat = Seat(id=pk, row=row, number=number)
    seat.section = Section(name=section)
    seat._state.adding = False
    return seat
