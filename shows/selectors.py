"""Reads of the shows app: what the public sees."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection
from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .counters import SOLD_SQL, with_counted
from .models import Performance, PriceCategory, Show, Venue


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
    upcoming = (Performance.objects.filter(starts_at__gt=now)
                .select_related("venue", "refund_policy", "seated")
                .prefetch_related("categories")
                .annotate(someone_waits=_someone_waits()).order_by("starts_at", "pk"))
    upcoming = with_counted(upcoming)
    return (Show.objects.filter(published=True, slug=slug).select_related("refund_policy")
            .prefetch_related(Prefetch("performances", queryset=upcoming)).first())


def performance_get(*, performance_id: int) -> Performance | None:
    """A performance of a published show, whatever its status."""
    return with_counted(
        Performance.objects.filter(pk=performance_id, show__published=True)
        .select_related("show__refund_policy", "venue", "refund_policy", "seated")
        .prefetch_related("categories")
        .annotate(someone_waits=_someone_waits())).first()


_CATEGORY_COLUMNS = ("id", "name", "description", "price_cents", "quota", "max_per_order",
                     "sort_order", "hidden", "seats_sold", "translations")
# The performance's categories ride along as one JSON array (no second query).
_CATEGORIES_JSON = {
    "postgresql": "(SELECT json_agg(json_build_array({cols})) FROM shows_pricecategory c "
                  "WHERE c.performance_id = p.id)",
    "sqlite": "(SELECT json_group_array(json_array({cols})) FROM shows_pricecategory c "
              "WHERE c.performance_id = p.id)",
}
_FOR_SALE_SQL = """
SELECT p.id, p.starts_at, p.capacity, p.seats_sold, p.price_cents, p.currency, p.cancelled,
       p.on_sale_at, p.sales_end_at, p.waitlist_enabled, p.waiting_room, p.counter_rows,
       {counted},
       s.id, s.slug, s.title, s.translations, s.published, v.id, v.name, v.city, {categories}{also}
FROM shows_performance p JOIN shows_show s ON s.id = p.show_id
JOIN shows_venue v ON v.id = p.venue_id WHERE p.id = %s
"""


def _aware(value: dt.datetime | str | None) -> dt.datetime | None:
    if isinstance(value, str):  # SQLite (make run) returns text
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):  # stored in UTC
        value = timezone.make_aware(value, dt.UTC)
    return value


def performance_for_sale(*, performance_id: int,
                         also: tuple[str, list[Any]] | None = None) -> Performance | None:
    """The performance with its show and venue, for the reservation hot path.

    One hand-written query: the ORM's query compilation cost as much as the whole
    reservation statement (bench/reservations.py). Columns are all the reservation and
    its response read, with its price categories in `sale_categories` (sort order);
    the write re-checks prices, sales times, seats and cancellation itself. `also`: a
    scalar subquery of another app (SQL, its parameters) read in the same round trip, its
    value in `performance.also` (the checkout's voucher: vouchers.selectors.voucher_read).
    """
    cols = ", ".join(f"c.{name}" for name in _CATEGORY_COLUMNS)
    sql = _FOR_SALE_SQL.format(categories=_CATEGORIES_JSON[connection.vendor].format(cols=cols),
                               counted=SOLD_SQL,
                               also=f", {also[0]}" if also else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, [*(also[1] if also else []), performance_id])
        row = cursor.fetchone()
    if row is None:
        return None
    if also:
        *row, also_value = row
    (pid, starts_at, capacity, seats_sold, price_cents, currency, cancelled, on_sale_at,
     sales_end_at, waitlist_enabled, waiting_room, counter_rows, counted, show_id, slug, title,
     translations, published, venue_id, venue_name, city, categories) = row
    performance = Performance(id=pid, show_id=show_id, venue_id=venue_id,
                              starts_at=_aware(starts_at), capacity=capacity,
                              seats_sold=seats_sold, price_cents=price_cents, currency=currency,
                              cancelled=bool(cancelled), on_sale_at=_aware(on_sale_at),
                              sales_end_at=_aware(sales_end_at),
                              waitlist_enabled=bool(waitlist_enabled),
                              waiting_room=bool(waiting_room), counter_rows=counter_rows)
    performance.counted_sold = counted  # K > 1: what its counter rows count
    performance._state.adding = False
    if also:
        performance.also = also_value
    performance.show = Show(id=show_id, slug=slug, title=title, translations=translations,
                            published=bool(published))
    performance.venue = Venue(id=venue_id, name=venue_name, city=city)
    if isinstance(categories, str):  # SQLite's JSON is text
        categories = json.loads(categories)
    performance.sale_categories = sorted(
        (_category(performance, values) for values in categories or [] if values[0]),
        key=lambda c: (c.sort_order, c.price_cents, c.pk))
    return performance


def _category(performance: Performance, values: list) -> PriceCategory:
    category = PriceCategory(performance=performance, **dict(zip(_CATEGORY_COLUMNS, values,
                                                                 strict=True)))
    category.hidden = bool(category.hidden)
    category._state.adding = False
    return category
