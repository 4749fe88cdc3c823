"""Reads of the shows app: what the public sees."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from .models import Performance, Show


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


def show_get(*, slug: str, now: dt.datetime | None = None) -> Show | None:
    """A published show with its performances that have not started yet."""
    now = now or timezone.now()
    upcoming = (Performance.objects.filter(starts_at__gt=now).select_related("venue")
                .order_by("starts_at", "pk"))
    return (Show.objects.filter(published=True, slug=slug)
            .prefetch_related(Prefetch("performances", queryset=upcoming)).first())


def performance_get(*, performance_id: int) -> Performance | None:
    """A performance of a published show, whatever its status."""
    return (Performance.objects.filter(pk=performance_id, show__published=True)
            .select_related("show", "venue").first())
