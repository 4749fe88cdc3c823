"""Helpers of the seating tests (and of the tickets and browser tests that sell seats)."""

from __future__ import annotations


def seat_ids(performance, *labels):
    """Seat ids of a seated performance by "ROW-NUMBER" labels ("A-3")."""
    from seating.models import Seat

    by_label = {f"{s.row}-{s.number}": s.pk for s in Seat.objects.filter(
        layout__performances__performance=performance)}
    return [by_label[label] for label in labels]
