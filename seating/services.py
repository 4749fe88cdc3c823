"""Writes of seat maps: import a layout, replace its seats until it is frozen, copy it,
seat a performance on it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from shows import cache as shows_cache
from shows.models import Performance, PriceCategory, Venue

from . import errors
from .layouts import SeatSpec
from .models import Layout, PerformanceLayout, Seat, Section, Zone


def layout_create(*, venue: Venue, name: str, seats: list[SeatSpec]) -> Layout:
    with transaction.atomic():
        layout = Layout.objects.create(venue=venue, name=name)
        _write_seats(layout, seats)
    return layout


def layout_replace_seats(*, layout: Layout, seats: list[SeatSpec]) -> Layout:
    """Replace every seat of the layout, unless it is frozen (a sale happened)."""
    with transaction.atomic():
        # The layout row's lock orders this against performance_seat on the same layout.
        Layout.objects.select_for_update().get(pk=layout.pk)
        if layout.is_frozen():
            raise errors.LayoutFrozen()
        Seat.objects.filter(layout=layout).delete()
        Section.objects.filter(layout=layout).delete()
        _write_seats(layout, seats)
        # A new version: the seat picker fetches the layout again (`?v=` in availability).
        Layout.objects.filter(pk=layout.pk).update(updated_at=timezone.now())
        for seated in PerformanceLayout.objects.filter(layout=layout):
            _set_capacity(seated.performance_id, layout)
    return layout


def layout_copy(*, layout: Layout, name: str) -> Layout:
    """A copy to change (a frozen layout stays as sold)."""
    sections = {s.pk: s.name for s in layout.sections.all()}
    specs = [SeatSpec(sections[s.section_id], s.row, s.number, s.x, s.y, s.zone,
                      {f for f in ("wheelchair", "companion", "restricted_view")
                       if getattr(s, f)}, s.position, s.row_rank)
             for s in layout.seats.all()]
    with transaction.atomic():
        copy = Layout.objects.create(venue=layout.venue, name=name, copied_from=layout)
        _write_seats(copy, specs, keep_positions=True)
    return copy


def performance_seat(*, performance: Performance, layout: Layout,
                     zones: dict[str, PriceCategory]) -> PerformanceLayout:
    """Sell `performance` seat by seat on `layout`, each zone in its category; its
    capacity becomes the layout's seat count. Only before anything of it is sold."""
    needed = set(layout.seats.values_list("zone", flat=True))
    if needed - set(zones) or any(c.performance_id != performance.pk for c in zones.values()):
        raise errors.ZoneUnmapped(zones=sorted(needed - set(zones)))
    with transaction.atomic():
        locked = Performance.objects.select_for_update().get(pk=performance.pk)
        if locked.seats_sold_exact:
            raise errors.LayoutFrozen(gettext("This performance has sold seats already: it "
                                              "cannot change its seat map."))
        if locked.counter_rows > 1:  # seated: one count row (shows.counters), none sold
            locked.counter_rows = 1
            locked.save(update_fields=["counter_rows"])
        seated, _ = PerformanceLayout.objects.update_or_create(
            performance=performance, defaults={"layout": layout})
        Zone.objects.filter(performance=performance).delete()
        Zone.objects.bulk_create([Zone(performance=performance, zone=zone, category=category)
                                  for zone, category in zones.items()])
        _set_capacity(performance.pk, layout)
    shows_cache.invalidate_seats(slug=performance.show.slug, performance_id=performance.pk)
    return seated


def _set_capacity(performance_id: int, layout: Layout) -> None:
    """Capacity = the layout's seats, less the performance's blocked ones (which count
    out of capacity, never as sold). Never below what is sold."""
    # Looked up, not imported: the tickets app owns the taken seats and imports seating.
    from django.apps import apps

    taken = apps.get_model("tickets", "TakenSeat")
    blocked = taken.objects.filter(performance_id=performance_id, order__isnull=True,
                                   active=True).count()
    Performance.objects.filter(pk=performance_id, seats_sold__lte=layout.seats.count()
                               - blocked).update(capacity=layout.seats.count() - blocked)


def _write_seats(layout: Layout, specs: list[SeatSpec], keep_positions: bool = False) -> None:
    sections: dict[str, Section] = {}
    for spec in specs:
        if spec.section not in sections:
            sections[spec.section] = Section.objects.create(layout=layout, name=spec.section,
                                                            sort_order=len(sections))
    Seat.objects.bulk_create([
        Seat(layout=layout, section=sections[s.section], row=s.row, number=s.number,
             position=s.position, row_rank=s.row_rank, x=s.x, y=s.y, zone=s.zone,
             wheelchair="wheelchair" in s.flags, companion="companion" in s.flags,
             restricted_view="restricted_view" in s.flags)
        for s in specs], batch_size=1000)
