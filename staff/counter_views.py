"""The box-office counter's pages and the end-of-day report. Thin: parse the form, call
staff/counter.py or staff/reports.py, render.

Pages of the admin (admin.py wires them under /admin/staff/counter/… and
/admin/staff/endofdayreport/…), for staff whose role holds the permission; the counter's
POSTs check the permission of the way of paying they ask for (a 403 page otherwise).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from project.errors import DomainError
from shows.admin import money
from tickets import printouts
from tickets.lines import LineRequest
from tickets.models import Order, OrderStatus

from . import counter, counter_refunds, reports, roles, selectors
from .models import CompReason, CounterMethod, CounterSale
from .views import DOOR_CSP, with_csp

METHOD_LABELS = {
    CounterMethod.CASH: gettext_lazy("Cash"),
    CounterMethod.CARD: gettext_lazy("Card terminal"),
    CounterMethod.COMP: gettext_lazy("Comp (free)"),
    CounterMethod.PAY_LATER: gettext_lazy("Pay later (phone booking)"),
}
REASON_LABELS = {CompReason.PRESS: gettext_lazy("Press"),
                 CompReason.ARTIST: gettext_lazy("Artist"),
                 CompReason.STAFF: gettext_lazy("Staff")}
LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _performance(performance_id: int):
    performance = selectors.performance_get(performance_id=performance_id)
    if performance is None:
        raise Http404("No such performance.")
    return performance


def _cents(text: str | None) -> int | None:
    """'20', '20.5', '20,50' → cents; empty or not a sum of money → None."""
    text = (text or "").strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    if not value.is_finite() or value < 0 or value > 1_000_000:
        return None
    return int((value * 100).to_integral_value())


def _local_datetime(text: str | None) -> dt.datetime | None:
    try:
        return timezone.make_aware(dt.datetime.strptime((text or "").strip(), LOCAL_MINUTE))
    except ValueError:
        return None


def _sale(record_id: uuid.UUID) -> CounterSale:
    record = (CounterSale.objects.select_related("order__performance__show",
                                                 "order__performance__venue",
                                                 "sold_by", "paid_by")
              .filter(pk=record_id).first())
    if record is None:
        raise Http404("No such counter sale.")
    return record


# ------------------------------------------------------------------------- the counter
@with_csp(DOOR_CSP)
def counter_picker(request: HttpRequest, *, site: AdminSite) -> TemplateResponse:
    now = timezone.now()
    today = list(selectors.performances_on(day=timezone.localdate(now)))
    return TemplateResponse(request, "staff/counter_picker.html", {
        "site_header": site.site_header, "today": today, "now": now,
        "next": list(selectors.performances_next(now=now, limit=10)),
        "may_book": request.user.has_perm(counter.PERMISSION[CounterMethod.PAY_LATER]),
        "may_refund": may_refund_at_counter(request.user),
    })


@with_csp(DOOR_CSP)
def counter_page(request: HttpRequest, performance_id: int, *,
                 site: AdminSite) -> HttpResponse:
    """GET: the sale form. POST: sell (or book), then the sale's page."""
    performance = _performance(performance_id)
    categories = list(performance.categories.filter(hidden=False)
                      .order_by("sort_order", "price_cents", "pk"))
    seat_rows = selectors.counter_free_seats(performance_id=performance.pk)  # None: unseated
    methods = [m for m in CounterMethod if counter.may_use(request.user, m)]
    latest_hold = timezone.localtime(performance.starts_at - counter.PAY_LATER_LAST_HOLD)
    problem, status = None, 200
    form = request.POST if request.method == "POST" else {}
    if request.method == "POST":
        method = request.POST.get("method", "")
        if method not in CounterMethod.values:
            problem, status = _("Choose how it is paid."), 422
        elif not counter.may_use(request.user, CounterMethod(method)):
            raise PermissionDenied(f"Your role does not include: {counter.PERMISSION[method]}.")
        else:
            lines = []
            for category in categories:
                raw = request.POST.get(f"qty-{category.pk}", "").strip() or "0"
                quantity = int(raw) if raw.isdigit() else -1
                if quantity < 0:
                    problem, status = _("Quantities are whole numbers."), 422
                elif quantity:
                    lines.append(LineRequest(category_id=category.pk, quantity=quantity))
            chosen = request.POST.getlist("seat") if seat_rows is not None else []
            seats = [int(x) for x in chosen if x.isdigit() and len(x) < 19]
            if len(seats) != len(chosen):
                problem, status = _("Choose seats from the seat grid."), 422
            elif problem is None and seats and lines:
                problem, status = _("Choose seats on the grid or quantities for the best "
                                    "available seats, not both."), 422
            if problem is None and not lines and not seats:
                problem, status = _("Choose at least one ticket."), 422
            if problem is None:
                sale = counter.Sale(
                    performance_id=performance.pk, lines=lines, method=CounterMethod(method),
                    customer_name=request.POST.get("name", ""),
                    customer_email=request.POST.get("email", ""),
                    given_cents=_cents(request.POST.get("given")),
                    comp_reason=request.POST.get("reason", ""),
                    hold_until=_local_datetime(request.POST.get("hold_until")),
                    seats=seats or None, best_available=seat_rows is not None)
                try:
                    record = counter.counter_sell(staff=request.user, sale=sale)
                except DomainError as exc:
                    problem, status = str(exc.detail), exc.status
                else:
                    return HttpResponseRedirect(
                        reverse("admin:staff_counter_sale", args=[record.pk]))
    response = TemplateResponse(request, "staff/counter.html", {
        "site_header": site.site_header, "performance": performance,
        "categories": [{"category": c, "price": money(c.price_cents, performance.currency),
                        "quantity": form.get(f"qty-{c.pk}", ""),
                        "left": c.seats_left(max(performance.capacity
                                                 - performance.seats_sold_exact, 0))}
                       for c in categories],
        "methods": [{"value": m.value, "label": METHOD_LABELS[m],
                     "checked": form.get("method", methods[0].value if methods else "") == m}
                    for m in methods],
        "reasons": [{"value": r.value, "label": REASON_LABELS[r],
                     "checked": form.get("reason") == r} for r in CompReason],
        "form": form, "problem": problem,
        "hold_until": form.get("hold_until") or latest_hold.strftime(LOCAL_MINUTE),
        "hold_until_max": latest_hold.strftime(LOCAL_MINUTE),
        "hold_until_latest": latest_hold,
        "seats_free": max(performance.capacity - performance.seats_sold_exact, 0),
        "seat_rows": _seat_rows(seat_rows, categories, performance.currency,
                                chosen=set(request.POST.getlist("seat"))),
        "picker_url": reverse("admin:staff_counter_changelist"),
    }, status=status)
    return response


def _seat_rows(rows: list[selectors.SeatRow] | None, categories: list, currency: str, *,
               chosen: set[str]) -> list[dict] | None:
    """The seat grid's rows: each free seat with its category's name and price."""
    if rows is None:
        return None
    by_id = {c.pk: c for c in categories}
    return [{"section": r.section, "row": r.row, "seats": [
        {"seat": seat, "checked": str(seat.id) in chosen,
         "category": by_id[seat.category_id].name if seat.category_id in by_id else "",
         "price": money(by_id[seat.category_id].price_cents, currency)
         if seat.category_id in by_id else ""} for seat in r.seats]} for r in rows]


@with_csp(DOOR_CSP)
def counter_sale(request: HttpRequest, order_id: uuid.UUID, *,
                 site: AdminSite) -> TemplateResponse:
    """A counter sale: what was paid and the change, its tickets to print; a pending phone
    booking's payment form."""
    record = _sale(order_id)
    order = record.order
    if order.status == OrderStatus.PENDING and order.expires_at <= timezone.now():
        counter.order_expire(order_id=order.pk)
        record = _sale(order_id)
        order = record.order
    currency = order.currency
    return TemplateResponse(request, "staff/counter_sale.html", {
        "site_header": site.site_header, "record": record, "order": order,
        "performance": order.performance,
        "method": METHOD_LABELS[CounterMethod(record.method)],
        "paid_method": METHOD_LABELS[CounterMethod(record.paid_method)]
        if record.paid_method else "",
        "reason": REASON_LABELS.get(record.comp_reason, ""),
        "total": money(order.total_cents, currency),
        "list_price": money(record.list_price_cents, currency),
        "given": money(record.given_cents, currency) if record.given_cents is not None
        else None,
        "change": money(record.change_cents, currency),
        "pending": order.status == OrderStatus.PENDING,
        "printable": order.status in printouts.PRINTABLE,
        "may_collect": request.user.has_perm(counter.PERMISSION[CounterMethod.PAY_LATER]),
        "refund": _give_back(record) if (
            order.status == OrderStatus.CONFIRMED
            and record.paid_method in counter_refunds.REFUNDABLE_METHODS
            and counter_refunds.may_refund(request.user, record, now=timezone.now()))
        else None,
        "picker_url": reverse("admin:staff_counter_changelist"),
    })


@with_csp(DOOR_CSP)
def counter_collect(request: HttpRequest, order_id: uuid.UUID, *,
                    site: AdminSite) -> HttpResponse:
    """POST: a phone booking paid at the counter (cash with the amount given, or card)."""
    if request.method != "POST":
        return HttpResponseRedirect(reverse("admin:staff_counter_sale", args=[order_id]))
    record = _sale(order_id)
    method = request.POST.get("method", "")
    if method not in (CounterMethod.CASH, CounterMethod.CARD):
        problem, status = _("Choose how it is paid."), 422
    else:
        try:
            counter.counter_collect(staff=request.user, order_id=record.pk,
                                    method=CounterMethod(method),
                                    given_cents=_cents(request.POST.get("given")))
        except counter.errors.Forbidden as exc:
            raise PermissionDenied(str(exc.detail)) from exc
        except DomainError as exc:
            problem, status = str(exc.detail), exc.status
        else:
            return HttpResponseRedirect(reverse("admin:staff_counter_sale", args=[order_id]))
    response = counter_sale(request, order_id, site=site)
    response.context_data["problem"] = problem
    response.status_code = status
    return response


@with_csp(DOOR_CSP)
def counter_bookings(request: HttpRequest, *, site: AdminSite) -> TemplateResponse:
    """Phone bookings waiting to be paid, the earliest to lapse first."""
    pending = (CounterSale.objects.select_related("order__performance__show")
               .filter(method=CounterMethod.PAY_LATER, paid_at__isnull=True,
                       order__status=OrderStatus.PENDING, order__expires_at__gt=timezone.now())
               .order_by("order__expires_at"))
    return TemplateResponse(request, "staff/counter_bookings.html", {
        "site_header": site.site_header,
        "bookings": [{"record": r, "order": r.order,
                      "total": money(r.order.total_cents, r.order.currency)} for r in pending],
        "picker_url": reverse("admin:staff_counter_changelist"),
    })


def _give_back(record: CounterSale) -> str:
    """What the clerk gives back for this sale: cash from the drawer, or on the terminal."""
    amount = money(record.amount_cents, record.order.currency)
    if record.paid_method == CounterMethod.CASH:
        return _("Give back %(amount)s in cash") % {"amount": amount}
    return _("Refund %(amount)s on the card terminal") % {"amount": amount}


def may_refund_at_counter(user) -> bool:
    return user.has_perm(roles.REFUND_OWN_CASH_SALES) or user.has_perm(roles.REFUND_ANY_ORDER)


@with_csp(DOOR_CSP)
def refunds_page(request: HttpRequest, *, site: AdminSite) -> TemplateResponse:
    """The signed-in staff member's own sales of today (cash, card terminal), each with its
    Refund button and what to give back; after a refund (?refunded=<order>), what was."""
    if not may_refund_at_counter(request.user):
        raise PermissionDenied(f"Your role does not include: {roles.REFUND_OWN_CASH_SALES}.")
    now = timezone.now()
    sales = list(selectors.counter_sales_paid_to(staff_id=request.user.pk, now=now))
    refunded = None
    try:
        refunded_id = uuid.UUID(request.GET.get("refunded", ""))
    except ValueError:
        refunded_id = None
    if refunded_id is not None:
        found = (CounterSale.objects.select_related("order").filter(
            pk=refunded_id, order__status=OrderStatus.CANCELLED).first())
        if found is not None and counter_refunds.may_refund(request.user, found, now=now):
            refunded = _("Refunded. %(what)s.") % {"what": _give_back(found)}
    return TemplateResponse(request, "staff/counter_refunds.html", {
        "site_header": site.site_header, "notice": refunded,
        "sales": [{"record": r, "order": r.order, "give_back": _give_back(r),
                   "method": METHOD_LABELS[CounterMethod(r.paid_method)],
                   "total": money(r.amount_cents, r.order.currency),
                   "refunded": r.order.status == OrderStatus.CANCELLED,
                   "refundable": r.order.status == OrderStatus.CONFIRMED} for r in sales],
        "picker_url": reverse("admin:staff_counter_changelist"),
    })


@with_csp(DOOR_CSP)
def refund_sale(request: HttpRequest, order_id: uuid.UUID, *,
                   site: AdminSite) -> HttpResponse:
    """POST: refund a counter sale (Box office: its own of today; Manager: any), then the
    refunds page saying what to give back. 403 for a sale the role may not refund."""
    if not may_refund_at_counter(request.user):
        raise PermissionDenied(f"Your role does not include: {roles.REFUND_OWN_CASH_SALES}.")
    if request.method != "POST":
        return HttpResponseRedirect(reverse("admin:staff_counter_sale", args=[order_id]))
    record = _sale(order_id)
    try:
        counter_refunds.counter_refund(staff=request.user, order_id=record.pk)
    except counter.errors.Forbidden as exc:
        raise PermissionDenied(str(exc.detail)) from exc
    except DomainError as exc:
        response = counter_sale(request, order_id, site=site)
        response.context_data["problem"] = str(exc.detail)
        response.status_code = exc.status
        return response
    return HttpResponseRedirect(
        f"{reverse('admin:staff_counter_refunds')}?refunded={record.pk}")


def counter_tickets_pdf(request: HttpRequest, order_id: uuid.UUID) -> HttpResponse:
    """The tickets of a counter sale, to print (?layout=a4 or thermal)."""
    layout = request.GET.get("layout", "a4")
    if layout not in printouts.LAYOUTS:
        raise Http404("No such layout.")
    order = (Order.objects.filter(pk=order_id, counter_sale__isnull=False)
             .select_related("performance").first())
    if order is None or order.status not in printouts.PRINTABLE:
        raise Http404("No printable counter sale.")
    response = HttpResponse(printouts.order_tickets_pdf(order=order, layout=layout),
                            content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="marquee-tickets-{str(order.pk)[:8]}-{layout}.pdf"')
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- the end-of-day report
def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip())
    except ValueError:
        return None


def end_of_day(request: HttpRequest, *, site: AdminSite, opts) -> HttpResponse:
    today = timezone.localdate()
    first = _day(request.GET.get("from")) or today
    last = _day(request.GET.get("to")) or first
    if last < first:
        first, last = last, first
    report = reports.end_of_day_report(first=first, last=last)
    if request.GET.get("format") == "csv":
        response = HttpResponse(reports.report_csv(report), content_type="text/csv")
        response["Content-Disposition"] = (
            f'attachment; filename="marquee-end-of-day-{first}-{last}.csv"')
        response["Cache-Control"] = "private, no-store"
        return response
    rows = [{"row": r, "method": METHOD_LABELS[CounterMethod(r.method)],
             "amount": money(r.amount_cents, r.currency),
             "comp_value": money(r.comp_value_cents, r.currency),
             "refunded": money(r.refund_cents, r.currency),
             "cash": money(r.cash_expected_cents, r.currency)} for r in report.rows]
    totals = [{"row": t, "amount": money(t.amount_cents, c),
               "comp_value": money(t.comp_value_cents, c),
               "refunded": money(t.refund_cents, c),
               "cash": money(reports.cash_expected_cents(report, c), c)}
              for c, t in sorted(report.totals.items())]
    title = (_("End of day: %(day)s") % {"day": first.isoformat()} if first == last else
             _("End of day: %(first)s to %(last)s") % {"first": first.isoformat(),
                                                         "last": last.isoformat()})
    return TemplateResponse(request, "staff/end_of_day.html", {
        **site.each_context(request), "opts": opts, "title": title, "rows": rows,
        "totals": totals, "first": first.isoformat(), "last": last.isoformat(),
        "csv_query": f"from={first.isoformat()}&to={last.isoformat()}&format=csv",
    })
