"""Layouts from text: a CSV (`section,row,seat,x,y,zone,flags`) or a text grid.

Both give a list of SeatSpec; seating.services writes them. Positions (which seats are
side by side) come from x: a row's seats are ordered by x and a gap wider than the row's
seat pitch (an aisle) skips a position, so best available never seats a group across it.
Rows are ranked front (smallest y) to back unless staff change `row_rank` afterwards.

Text grid: a `[Section]` line starts a section, then one line per row, `F: a a a . b b`:
the row label, then one token per column — a zone letter (its zone is the letter), `.`
for no seat. A token may end with flags: `*` wheelchair space, `+` companion seat,
`!` restricted view. Seats are numbered from 1, left to right.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise

from django.utils.translation import gettext as _

from .errors import LayoutInvalid
from .models import seat_label

FLAGS = {"wheelchair", "companion", "restricted_view"}
_FLAG_ALIASES = {"wheelchair": "wheelchair", "w": "wheelchair", "companion": "companion",
                 "c": "companion", "restricted": "restricted_view",
                 "restricted_view": "restricted_view", "r": "restricted_view"}
_GRID_FLAGS = {"*": "wheelchair", "+": "companion", "!": "restricted_view"}
MAX_SEATS = 10_000
GRID_PITCH = 10  # drawing units between two grid columns or rows


@dataclass
class SeatSpec:
    section: str
    row: str
    number: str
    x: int
    y: int
    zone: str
    flags: set[str] = field(default_factory=set)
    position: int = 0
    row_rank: int = 0


def parse_csv(text: str) -> list[SeatSpec]:
    """Seats from CSV lines `section,row,seat,x,y,zone,flags` (a header line is optional;
    flags separated by `|`, `;` or spaces)."""
    specs = []
    for n, record in enumerate(csv.reader(io.StringIO(text.strip())), start=1):
        if not record or all(not cell.strip() for cell in record):
            continue
        cells = [cell.strip() for cell in record]
        if n == 1 and cells[0].lower() == "section":
            continue
        if len(cells) not in (6, 7):
            raise LayoutInvalid(
                _("Line {n}: expected section,row,seat,x,y,zone,flags.").format(n=n))
        section, row, number, x, y, zone = cells[:6]
        try:
            xy = int(float(x)), int(float(y))
        except ValueError:
            raise LayoutInvalid(_("Line {n}: x and y must be numbers.").format(n=n)) from None
        specs.append(SeatSpec(section, row, number, *xy, zone,
                              _flags(cells[6] if len(cells) == 7 else "", n)))
    return _finish(specs)


def parse_grid(text: str) -> list[SeatSpec]:
    specs, section, y = [], "Stalls", 0
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.rstrip()
        if not line.strip():
            continue
        if line.strip().startswith("[") and line.strip().endswith("]"):
            section = line.strip()[1:-1].strip() or section
            y += GRID_PITCH  # a gap between sections
            continue
        row, sep, rest = line.partition(":")
        if not sep or not row.strip():
            raise LayoutInvalid(_("Line {n}: expected `ROW: a a a . b b`.").format(n=n))
        number = 0
        for column, token in enumerate(rest.split()):
            if token == ".":  # noqa: S105 (a gap, not a secret)
                continue
            flags = set()
            while token and token[-1] in _GRID_FLAGS:
                flags.add(_GRID_FLAGS[token[-1]])
                token = token[:-1]
            if not token:
                raise LayoutInvalid(_("Line {n}: a seat needs a zone letter.").format(n=n))
            number += 1
            specs.append(SeatSpec(section, row.strip(), str(number), column * GRID_PITCH, y,
                                  token, flags))
        y += GRID_PITCH
    return _finish(specs)


def _flags(cell: str, n: int) -> set[str]:
    flags = set()
    for word in cell.replace("|", " ").replace(";", " ").split():
        flag = _FLAG_ALIASES.get(word.lower())
        if flag is None:
            raise LayoutInvalid(_("Line {n}: unknown flag {flag} (wheelchair, companion, "
                                  "restricted).").format(n=n, flag=repr(word)))
        flags.add(flag)
    return flags


def _finish(specs: list[SeatSpec]) -> list[SeatSpec]:
    """Check labels are unique, then give each seat its position and its row's rank."""
    if not specs:
        raise LayoutInvalid(_("The layout has no seats."))
    if len(specs) > MAX_SEATS:
        raise LayoutInvalid(_("At most {n} seats per layout.").format(n=MAX_SEATS))
    seen = set()
    rows: dict[tuple[str, str], list[SeatSpec]] = defaultdict(list)
    for spec in specs:
        label = (spec.section, spec.row, spec.number)
        if not all(label) or not spec.zone:
            raise LayoutInvalid(_("Every seat needs a section, row, seat and zone."))
        if label in seen:
            raise LayoutInvalid(_("{seat} is listed twice.").format(
                seat=seat_label(spec.section, spec.row, spec.number)))
        seen.add(label)
        rows[(spec.section, spec.row)].append(spec)
    for seats in rows.values():
        seats.sort(key=lambda s: s.x)
        steps = [b.x - a.x for a, b in pairwise(seats) if b.x > a.x]
        pitch = min(steps, default=1)
        position = 0
        for previous, seat in zip([None, *seats], seats, strict=False):
            if previous is not None:
                position += 2 if seat.x - previous.x > 1.5 * pitch else 1
            seat.position = position
    by_depth = sorted(rows, key=lambda key: (sum(s.y for s in rows[key]) / len(rows[key]),
                                             key))
    for rank, key in enumerate(by_depth):
        for seat in rows[key]:
            seat.row_rank = rank
    return specs
