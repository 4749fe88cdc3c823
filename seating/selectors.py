"""Reads of seat maps: a layout as the seat picker draws it."""

from __future__ import annotations

from typing import Any

from .models import Layout, Seat

FLAG_BITS = {"wheelchair": 1, "companion": 2, "restricted_view": 4}


def layout_body(*, layout_id: int) -> dict[str, Any] | None:
    """The layout in columns (one array per attribute, seats in id order): compact for
    2,000 seats, and the order the availability bitmap follows. Two queries."""
    layout = (Layout.objects.select_related("venue").prefetch_related("sections")
              .filter(pk=layout_id).first())
    if layout is None:
        return None
    sections = list(layout.sections.all())
    index = {section.pk: i for i, section in enumerate(sections)}
    seats = list(Seat.objects.filter(layout_id=layout_id).order_by("id").values_list(
        "id", "section_id", "row", "number", "x", "y", "zone", "wheelchair", "companion",
        "restricted_view"))
    zones = sorted({seat[6] for seat in seats})
    zone_index = {zone: i for i, zone in enumerate(zones)}
    return {
        "id": layout.pk, "name": layout.name,
        "venue": {"name": layout.venue.name, "city": layout.venue.city},
        "sections": [section.name for section in sections],
        "zones": zones,
        "seats": {
            "id": [s[0] for s in seats],
            "section": [index[s[1]] for s in seats],
            "row": [s[2] for s in seats],
            "number": [s[3] for s in seats],
            "x": [s[4] for s in seats],
            "y": [s[5] for s in seats],
            "zone": [zone_index[s[6]] for s in seats],
            "flags": [s[7] * 1 + s[8] * 2 + s[9] * 4 for s in seats],
        },
    }
