"""The end-of-day report: the counter's money per staff member and payment method, for a day
or a range of days (the venue's days), on screen and as CSV.

Read from CounterSale and its orders (two grouped queries):
- sales: what was paid at the counter in the range (a pay-later booking on the day it was
  paid, by whom and how), orders, tickets and amount;
- comps: complimentary tickets given in the range, and what they would have cost;
- refunds: counter orders cancelled in the range and what was given back, counted for
  whoever took the money and how (the drawer that pays it back);
- cash expected in the drawer: cash sales less cash refunds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Sum
from django.utils import timezone

from tickets.models import OrderStatus

from .models import CounterMethod, CounterSale


@dataclass
class Row:
    staff: str
    method: str
    currency: str
    sales: int = 0           # orders paid
    tickets: int = 0         # their tickets (a comp's included)
    amount_cents: int = 0    # paid
    comps: int = 0           # complimentary tickets
    comp_value_cents: int = 0
    refunds: int = 0         # orders refunded
    refund_cents: int = 0

    @property
    def cash_expected_cents(self) -> int:
        if self.method != CounterMethod.CASH:
            return 0
        return self.amount_cents - self.refund_cents


@dataclass
class Report:
    first: dt.date
    last: dt.date
    rows: list[Row]
    totals: dict[str, Row] = field(default_factory=dict)  # per currency


def day_range(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The instants from the start of `first` to the end of `last`, in the venue's zone."""
    start = timezone.make_aware(dt.datetime.combine(first, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min))
    return start, end


def end_of_day_report(*, first: dt.date, last: dt.date | None = None) -> Report:
    last = last or first
    start, end = day_range(first, last)
    rows: dict[tuple[int, str, str], Row] = {}
    names = {}

    def row(staff_id: int, method: str, currency: str) -> Row:
        key = (staff_id, method, currency)
        if key not in rows:
            rows[key] = Row(staff="", method=method, currency=currency)
            names[key] = staff_id
        return rows[key]

    paid = (CounterSale.objects.filter(paid_at__gte=start, paid_at__lt=end)
            .values("paid_by", "paid_method", "order__currency")
            .annotate(orders=Count("pk"), tickets=Sum("order__quantity"),
                      amount=Sum("amount_cents"), listed=Sum("list_price_cents")))
    for found in paid:
        r = row(found["paid_by"], found["paid_method"], found["order__currency"])
        r.tickets += found["tickets"] or 0
        if found["paid_method"] == CounterMethod.COMP:
            r.comps += found["tickets"] or 0
            r.comp_value_cents += found["listed"] or 0
        else:
            r.sales += found["orders"]
            r.amount_cents += found["amount"] or 0
    refunded = (CounterSale.objects.filter(
        paid_at__isnull=False, order__status=OrderStatus.CANCELLED,
        order__cancelled_at__gte=start, order__cancelled_at__lt=end,
        order__refund_cents__gt=0)
        .values("paid_by", "paid_method", "order__currency")
        .annotate(orders=Count("pk"), refund=Sum("order__refund_cents")))
    for found in refunded:
        r = row(found["paid_by"], found["paid_method"], found["order__currency"])
        r.refunds += found["orders"]
        r.refund_cents += found["refund"] or 0

    users = get_user_model().objects.in_bulk(set(names.values()))
    for key, r in rows.items():
        user = users.get(names[key])
        r.staff = (user.get_full_name() or user.get_username()) if user else "?"
    ordered = sorted(rows.values(), key=lambda r: (r.staff, r.currency, r.method))
    totals: dict[str, Row] = {}
    for r in ordered:
        t = totals.setdefault(r.currency, Row(staff="", method="", currency=r.currency))
        for name in ("sales", "tickets", "amount_cents", "comps", "comp_value_cents",
                     "refunds", "refund_cents"):
            setattr(t, name, getattr(t, name) + getattr(r, name))
    report = Report(first=first, last=last, rows=ordered, totals=totals)
    return report


def cash_expected_cents(report: Report, currency: str) -> int:
    return sum(r.cash_expected_cents for r in report.rows if r.currency == currency)


CSV_HEADER = ["staff", "payment_method", "currency", "sales", "tickets", "amount",
              "comps", "comp_value", "refunds", "refunded", "cash_expected"]


def report_csv(report: Report) -> str:
    """The report as CSV: a row per staff member and method, then a total per currency.
    Amounts in the currency's units with two decimals (what a spreadsheet sums)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_HEADER)
    for r in report.rows:
        writer.writerow(_cells(r.staff, r.method, r, r.cash_expected_cents))
    for currency, t in sorted(report.totals.items()):
        writer.writerow(_cells("TOTAL", "", t, cash_expected_cents(report, currency)))
    return out.getvalue()


def _cells(staff: str, method: str, r: Row, cash: int) -> list[str]:
    # A name starting with =, +, - or @ is not a formula in a spreadsheet.
    staff = f"'{staff}" if staff[:1] in ("=", "+", "-", "@") else staff
    return [staff, method, r.currency, str(r.sales), str(r.tickets), units(r.amount_cents),
            str(r.comps), units(r.comp_value_cents), str(r.refunds),
            units(r.refund_cents), units(cash)]


def units(cents: int) -> str:
    """Cents as units with two decimals, exactly (no float)."""
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"
