"""Reads of the shows app: what the public sees."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .models import Performance, Show, Venue


def _upcoming(now: dt.datetime, start: dt.datetime | None, end: dt.datetime | None,
              prefix: str = "") -> Q:
    q = Q(**{f"{prefix}starts_at__gt": now, f"{prefix}cancelled": False})
    if start:
        q &= Q(**{f"{prefix}starts_at__gte": start})
    if end:
        q &= Q(**{f"{prefix}starts_at__lt": end})
    return q


def show_list(*, query: str = "", start: dt.datetime | None = None,
              end: dt.datetime | None = None, now: dt.datetime | None = None
              ) -> QuerySet[Show]:
    """Published shows with an upcoming performance (within [start, end) when given),
    annotated with the first such performance's time and the lowest price."""
    now = now or timezone.now()
    performances = Performance.objects.filter(_upcoming(now, start, end), show=OuterRef("pk"))
    shows = Show.objects.filter(published=True).filter(Exists(performances))
    if query:
        shows = shows.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    window = _upcoming(now, start, end, prefix="performances__")
    return shows.annotate(
        next_performance_at=Min("performances__starts_at", filter=window),
        price_from_cents=Min("performances__price_cents", filter=window),
        currency=Subquery(performances.order_by("price_cents").values("currency")[:1]),
    ).order_by("next_performance_at", "title", "pk")


def _someone_waits() -> Exists:
    """Someone is on the performance's waiting list: its freed seats are theirs first
    (tickets/waitlist.py), so the public sees it sold out (Performance.seats_left)."""
    entries = Performance._meta.get_field("waitlist").related_model.objects
    return Exists(entries.filter(performance=OuterRef("pk"), status="waiting"))


def show_get(*, slug: str, now: dt.datetime | None = None) -> Show | None:
    """A published show with its performances that have not started yet."""
    now = now or timezone.now()
    upcoming = (Performance.objects.filter(starts_at__gt=now).select_related("venue")
                .annotate(someone_waits=_someone_waits()).order_by("starts_at", "pk"))
    return (Show.objects.filter(published=True, slug=slug)
            .prefetch_related(Prefetch("performances", queryset=upcoming)).first())


def performance_get(*, performance_id: int) -> Performance | None:
    """A performance of a published show, whatever its status."""
    return (Performance.objects.filter(pk=performance_id, show__published=True)
            .select_related("show", "venue").annotate(someone_waits=_someone_waits()).first())


_FOR_SALE_SQL = """
SELECT p.id, p.starts_at, p.capacity, p.seats_sold, p.price_cents, p.currency, p.cancelled,
       s.id, s.slug, s.title, s.translations, s.published, v.id, v.name, v.city
FROM shows_performance p JOIN shows_show s ON s.id = p.show_id
JOIN shows_venue v ON v.id = p.venue_id WHERE p.id = %s
"""


def performance_for_sale(*, performance_id: int) -> Performance | None:
    """The performance with its show and venue, for the reservation hot path.

    One hand-written query: the ORM's query compilation cost as much as the whole
    reservation statement (bench/reservations.py). Columns are all the reservation and
    its response read; the write re-checks price, start and cancellation itself.
    """
    with connection.cursor() as cursor:
        cursor.execute(_FOR_SALE_SQL, [performance_id])
        row = cursor.fetchone()
    if row is None:
        return None
    (pid, starts_at, capacity, seats_sold, price_cents, currency, cancelled,
     show_id, slug, title, translations, published, venue_id, venue_name, city) = row
    if isinstance(starts_at, str):  # SQLite (make run) returns text
        starts_at = parse_datetime(starts_at)
    if timezone.is_naive(starts_at):  # stored in UTC
        starts_at = timezone.make_aware(starts_at, dt.UTC)
    performance = Performance(id=pid, show_id=show_id, venue_id=venue_id, starts_at=starts_at,
                              capacity=capacity, seats_sold=seats_sold,
                              price_cents=price_cents, currency=currency, cancelled=cancelled)
    performance._state.adding = False
    performance.show = Show(id=show_id, slug=slug, title=title, translations=translations,
                            published=bool(published))
    performance.venue = Venue(id=venue_id, name=venue_name, city=city)
    return performance
