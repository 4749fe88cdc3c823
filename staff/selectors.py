"""Reads of the staff tools: door counts and the sales dashboard's aggregates.

Every figure is an aggregate computed by the database (Sum, Count, TruncDay, TruncHour):
the number of queries of a page does not grow with the number of orders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDay, TruncHour
from django.utils import timezone

from shows.counters import with_counted
from shows.models import Performance, PriceCategory
from tickets.models import Order, OrderStatus, Ticket, WaitlistEntry, WaitlistStatus

from .models import CounterMethod, CounterSale

HOURS = 48  # the hourly chart's window


@dataclass(frozen=True)
class CheckIn:
    checked_in: int
    tickets: int  # valid tickets: those of confirmed orders
    last_at: dt.datetime | None

    @property
    def percent(self) -> int:
        return round(100 * self.checked_in / self.tickets) if self.tickets else 0


@dataclass(frozen=True)
class Day:
    day: dt.date
    tickets: int
    cumulative: int
    revenue_cents: int


@dataclass(frozen=True)
class Hour:
    start: dt.datetime
    tickets: int


@dataclass(frozen=True)
class CategorySales:
    name: str
    price_cents: int
    quota: int | None
    sold: int          # seats of confirmed orders in this category
    held: int          # seats of pending orders in it
    revenue_cents: int


@dataclass(frozen=True)
class Sales:
    performance: Performance
    sold: int          # seats of confirmed orders
    held: int          # seats of pending orders (held while their customers pay)
    free: int          # capacity less every seat sold or held
    orders: int        # confirmed orders
    revenue_cents: int
    waiting: int       # people on the waiting list (tickets/waitlist.py)
    offered: int       # of them, holding an offer (a pending order, counted in `held`)
    days: list[Day]    # every day from the first sale to today (or the show's day)
    hours: list[Hour]  # the last 48 hours, the current one last
    check_in: CheckIn
    categories: list[CategorySales]  # sales broken down by price category


def performance_get(*, performance_id: int) -> Performance | None:
    return (Performance.objects.select_related("show", "venue")
            .filter(pk=performance_id).first())


def performances_on(*, day: dt.date) -> QuerySet[Performance]:
    """Performances starting on `day` (in the current time zone), earliest first."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return (Performance.objects.select_related("show", "venue")
            .filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
            .order_by("starts_at", "pk"))


def performances_next(*, now: dt.datetime, limit: int = 5) -> QuerySet[Performance]:
    return (Performance.objects.select_related("show", "venue")
            .filter(starts_at__gte=now, cancelled=False).order_by("starts_at", "pk")[:limit])


def check_in_progress(*, performance_id: int) -> CheckIn:
    """Tickets of confirmed orders, and how many of them were checked in (one query)."""
    figures = Ticket.objects.filter(order__performance_id=performance_id,
                                    order__status=OrderStatus.CONFIRMED).aggregate(
        tickets=Count("id"),
        checked_in=Count("id", filter=Q(checked_in_at__isnull=False)),
        last_at=Max("checked_in_at"))
    return CheckIn(checked_in=figures["checked_in"], tickets=figures["tickets"],
                   last_at=figures["last_at"])


def ticket_performance(*, code: str) -> Performance | None:
    return Performance.objects.select_related("show").filter(orders__tickets__code=code).first()


def order_progress(*, code: str) -> tuple[int, int]:
    """(checked in, tickets) of the order that holds the ticket `code` (one query)."""
    order = Ticket.objects.filter(code=code).values("order_id")
    figures = Ticket.objects.filter(order_id__in=order).aggregate(
        tickets=Count("id"), checked_in=Count("id", filter=Q(checked_in_at__isnull=False)))
    return figures["checked_in"], figures["tickets"]


def performances_with_seats(*, now: dt.datetime, past: bool = False,
                            limit: int = 100) -> QuerySet[Performance]:
    """Performances from today on (or, with `past`, before today, latest first), each with
    its seats sold and held and its revenue (one query)."""
    today = timezone.make_aware(dt.datetime.combine(timezone.localdate(now), dt.time.min))
    confirmed = Q(orders__status=OrderStatus.CONFIRMED)
    queryset = (with_counted(Performance.objects).select_related("show", "venue").annotate(
        sold=Sum("orders__quantity", filter=confirmed, default=0),
        held=Sum("orders__quantity", filter=Q(orders__status=OrderStatus.PENDING), default=0),
        revenue_cents=Sum("orders__total_cents", filter=confirmed, default=0)))
    if past:
        return queryset.filter(starts_at__lt=today).order_by("-starts_at", "-pk")[:limit]
    return queryset.filter(starts_at__gte=today).order_by("starts_at", "pk")[:limit]


def performance_sales(*, performance: Performance, now: dt.datetime | None = None) -> Sales:
    """Everything the dashboard shows of one performance, in five queries."""
    now = now or timezone.now()
    orders = Order.objects.filter(performance=performance)
    totals = orders.aggregate(
        sold=Sum("quantity", filter=Q(status=OrderStatus.CONFIRMED), default=0),
        held=Sum("quantity", filter=Q(status=OrderStatus.PENDING), default=0),
        orders=Count("id", filter=Q(status=OrderStatus.CONFIRMED)),
        revenue_cents=Sum("total_cents", filter=Q(status=OrderStatus.CONFIRMED), default=0))
    # A sale counts from its confirmation (a paid order's hold is not a sale yet); orders
    # cancelled since are not counted, so the curve ends at today's seats sold.
    confirmed = orders.filter(status=OrderStatus.CONFIRMED).annotate(
        sold_at=Coalesce("confirmed_at", "created_at"))
    by_day = {timezone.localtime(row["day"]).date(): row for row in (
        confirmed.annotate(day=TruncDay("sold_at")).values("day")
        .annotate(tickets=Sum("quantity"), revenue_cents=Sum("total_cents")).order_by("day"))}
    first_hour = timezone.localtime(now).replace(minute=0, second=0, microsecond=0) \
        - dt.timedelta(hours=HOURS - 1)
    by_hour = {row["hour"]: row["tickets"] for row in (
        confirmed.filter(sold_at__gte=first_hour).annotate(hour=TruncHour("sold_at"))
        .values("hour").annotate(tickets=Sum("quantity")).order_by("hour"))}
    line = WaitlistEntry.objects.filter(performance=performance).aggregate(
        waiting=Count("id", filter=Q(status=WaitlistStatus.WAITING)),
        offered=Count("id", filter=Q(status=WaitlistStatus.OFFERED)))
    return Sales(
        performance=performance, sold=totals["sold"], held=totals["held"],
        free=max(performance.capacity - performance.seats_sold_exact, 0),
        orders=totals["orders"], revenue_cents=totals["revenue_cents"],
        waiting=line["waiting"], offered=line["offered"],
        days=_days(by_day, last=min(timezone.localdate(now),
                                    timezone.localtime(performance.starts_at).date())),
        hours=[Hour(start=first_hour + dt.timedelta(hours=i),
                    tickets=by_hour.get(first_hour + dt.timedelta(hours=i), 0))
               for i in range(HOURS)],
        check_in=check_in_progress(performance_id=performance.pk),
        categories=category_sales(performance_id=performance.pk))


def category_sales(*, performance_id: int) -> list[CategorySales]:
    """Each price category of the performance with its seats sold and held (one query)."""
    lines = Q(orderlines__order__performance_id=performance_id)
    confirmed = lines & Q(orderlines__order__status=OrderStatus.CONFIRMED)
    rows = (PriceCategory.objects.filter(performance_id=performance_id)
            .annotate(sold=Sum("orderlines__quantity", filter=confirmed, default=0),
                      held=Sum("orderlines__quantity", default=0,
                               filter=lines & Q(orderlines__order__status=OrderStatus.PENDING)),
                      revenue=Sum(F("orderlines__quantity") * F("orderlines__unit_price_cents"),
                                  filter=confirmed, default=0))
            .order_by("sort_order", "price_cents", "pk"))
    return [CategorySales(name=c.name, price_cents=c.price_cents, quota=c.quota, sold=c.sold,
                          held=c.held, revenue_cents=c.revenue) for c in rows]


def _days(by_day: dict[dt.date, dict], *, last: dt.date) -> list[Day]:
    """One Day per calendar day from the first sale to `last`, the days without sales too."""
    if not by_day:
        return []
    day, last = min(by_day), max(last, max(by_day))
    days, cumulative = [], 0
    while day <= last:
        row = by_day.get(day)
        tickets = row["tickets"] if row else 0
        cumulative += tickets
        days.append(Day(day=day, tickets=tickets, cumulative=cumulative,
                        revenue_cents=row["revenue_cents"] if row else 0))
        day += dt.timedelta(days=1)
    return days


def counter_sales_paid_to(*, staff_id: int, now: dt.datetime) -> QuerySet[CounterSale]:
    """The counter sales paid to this staff member today (the venue's day), in cash or on
    the card terminal, the latest first (refunded ones included: the page says so)."""
    today = timezone.localdate(now)
    start, end = (timezone.make_aware(dt.datetime.combine(day, dt.time.min))
                  for day in (today, today + dt.timedelta(days=1)))  # 23 or 25 hours, too
    return (CounterSale.objects.select_related("order__performance__show")
            .filter(paid_by_id=staff_id, paid_at__gte=start, paid_at__lt=end,
                    paid_method__in=[CounterMethod.CASH, CounterMethod.CARD])
            .order_by("-paid_at"))


@dataclass(frozen=True)
class FreeSeat:
    id: int
    number: str
    label: str        # "Stalls, row F, seat 12"
    category_id: int


@dataclass(frozen=True)
class SeatRow:
    section: str
    row: str
    seats: list[FreeSeat]


def counter_free_seats(*, performance_id: int) -> list[SeatRow] | None:
    """A seated performance's free seats on sale (a zone with a category, not sold, held
    or blocked), row by row as the layout orders them, for the counter's seat grid; None
    when the performance is not seated. Three queries."""
    from seating.models import PerformanceLayout, Seat, Zone, seat_label
    from tickets.models import TakenSeat

    layout_id = (PerformanceLayout.objects.filter(performance_id=performance_id)
                 .values_list("layout_id", flat=True).first())
    if layout_id is None:
        return None
    zones = dict(Zone.objects.filter(performance_id=performance_id)
                 .values_list("zone", "category_id"))
    taken = TakenSeat.objects.filter(performance_id=performance_id, active=True,
                                     seat_id=OuterRef("pk"))
    seats = (Seat.objects.filter(layout_id=layout_id, zone__in=list(zones))
             .exclude(Exists(taken)).select_related("section")
             .order_by("section__id", "row_rank", "row", "position"))
    rows: dict[tuple[int, str], SeatRow] = {}
    for seat in seats:
        key = (seat.section_id, seat.row)
        if key not in rows:
            rows[key] = SeatRow(section=seat.section.name, row=seat.row, seats=[])
        rows[key].seats.append(FreeSeat(
            id=seat.pk, number=seat.number, category_id=zones[seat.zone],
            label=seat_label(seat.section.name, seat.row, seat.number)))
    return list(rows.values())
