"""Door mode and the sales dashboard. Views stay thin: a selector or a service, a template.

The pages are admin views (admin.py wires them under /admin/staff/…, which CloudFront
routes to Django, and wraps them in `admin_view`: staff only, anyone else gets the admin
login page). The two JSON endpoints of door mode answer 403 problems instead.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.admin import AdminSite
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.template.response import TemplateResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from languages import formats
from project.errors import DomainError
from project.problems import problem_response
from shows.admin import money
from tickets.cancellations import cancellation_progress
from tickets.seating import house_map, ticket_seat_label

from . import charts, errors, selectors, services
from .models import ScanResult

ZXING = "staff/vendor/zxing-wasm-3.1.4/"
MAX_SCAN_BODY = 2048

# Door mode compiles the bundled decoder (WebAssembly): its own policy, stricter than the
# CloudFront one (which CloudFront keeps: Override false) but for 'wasm-unsafe-eval'.
DOOR_CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
            "base-uri 'self'; form-action 'self'; object-src 'none'")
DASHBOARD_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
                 "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; "
                 "base-uri 'self'; form-action 'self'; object-src 'none'")

TITLES = {
    ScanResult.VALID: gettext_lazy("Valid"),
    ScanResult.ALREADY_CHECKED_IN: gettext_lazy("Already checked in"),
    ScanResult.CANCELLED: gettext_lazy("Cancelled order"),
    ScanResult.NOT_VALID: gettext_lazy("Order not confirmed"),
    ScanResult.WRONG_PERFORMANCE: gettext_lazy("Not for this performance"),
    ScanResult.UNKNOWN: gettext_lazy("Unknown code"),
}
# What door.js writes on the page: handed to it translated (door.html, json_script).
DOOR_MESSAGES = (
    gettext_noop("Valid"), gettext_noop("Already checked in"),
    gettext_noop("Not for this performance"), gettext_noop("Cancelled order"),
    gettext_noop("Order not confirmed"), gettext_noop("Unknown code"),
    gettext_noop("Not checked"), gettext_noop("The scan was refused."),
    gettext_noop("Signed out: sign in again and it is sent."),
    gettext_noop("No answer from the server: kept, and sent again."),
    gettext_noop("Saved, not checked yet"), gettext_noop("{checked} of {tickets} on this order"),
    gettext_noop("at {time}"), gettext_noop("Earlier scan {code}: {title}. {detail}"),
    gettext_noop("1 scan"), gettext_noop("{n} scans"),
    gettext_noop("{scans} waiting: you are signed out."),
    gettext_noop("{scans} waiting to be sent: retrying."), gettext_noop("Sign in again"),
    gettext_noop("Checking…"), gettext_noop("(typed)"),
    gettext_noop("No camera here (it needs HTTPS): type the codes below."),
    gettext_noop("Starting the camera…"),
    gettext_noop("No camera ({error}): type the codes below."),
    gettext_noop("Try the camera"),
    gettext_noop("This browser cannot read QR codes: type the codes below."),
    gettext_noop("Pause camera"), gettext_noop("Scanning: hold a ticket's code in the frame."),
    gettext_noop("Start camera"), gettext_noop("Camera paused."),
)


def with_csp(policy: str) -> Callable:
    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            response = view(request, *args, **kwargs)
            response.setdefault("Content-Security-Policy", policy)
            return response
        return wrapped
    return decorate


def requires(permission: str, view: Callable) -> Callable:
    """A staff page for the roles that hold `permission`: anyone else gets a 403 page."""
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm(permission):
            raise PermissionDenied(f"Your role does not include: {permission}.")
        return view(request, *args, **kwargs)
    return wrapped


def staff_json(site: AdminSite, view: Callable, permission: str) -> Callable:
    """Staff whose role holds `permission` only (a 403 problem otherwise), CSRF-protected,
    never cached; domain errors become problem responses."""
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not site.has_permission(request):
            return problem_response(403, code="not_staff",
                                    detail=_("Sign in to the admin as staff."))
        if not request.user.has_perm(permission):
            return problem_response(403, code="forbidden",
                                    detail=_("Your role does not allow this."))
        try:
            return view(request, *args, **kwargs)
        except DomainError as exc:
            return problem_response(exc.status, code=exc.code, title=exc.title,
                                    detail=exc.detail, **exc.extra)
    return csrf_protect(never_cache(wrapped))


def _performance(performance_id: int):
    performance = selectors.performance_get(performance_id=performance_id)
    if performance is None:
        raise Http404("No such performance.")
    return performance


# ------------------------------------------------------------------------- door mode
@with_csp(DOOR_CSP)
def door_picker(request: HttpRequest, *, site: AdminSite) -> TemplateResponse:
    now = timezone.now()
    today = list(selectors.performances_on(day=timezone.localdate(now)))
    return TemplateResponse(request, "staff/door_picker.html", {
        "site_header": site.site_header, "today": today, "now": now,
        "next": [] if today else list(selectors.performances_next(now=now)),
    })


@with_csp(DOOR_CSP)
def door(request: HttpRequest, performance_id: int, *, site: AdminSite) -> TemplateResponse:
    performance = _performance(performance_id)
    return TemplateResponse(request, "staff/door.html", {
        "site_header": site.site_header, "performance": performance,
        "today": timezone.localtime(performance.starts_at).date() == timezone.localdate(),
        "counts": selectors.check_in_progress(performance_id=performance.pk),
        "scan_url": reverse("admin:staff_doormode_scan", args=[performance.pk]),
        "counts_url": reverse("admin:staff_doormode_counts", args=[performance.pk]),
        "picker_url": reverse("admin:staff_doormode_changelist"),
        "login_url": f"{reverse('admin:login')}?{urlencode({'next': request.path})}",
        "zxing_js": static(ZXING + "zxing-reader.iife.js"),
        "zxing_wasm": static(ZXING + "zxing_reader.wasm"),
        "door_messages": {message: _(message) for message in DOOR_MESSAGES},
    })


def door_scan(request: HttpRequest, performance_id: int) -> HttpResponse:
    """POST {"scan_id": uuid, "code": text} → the answer to show at the door."""
    if request.method != "POST":
        return problem_response(405, detail=_("POST a scan."))
    if len(request.body) > MAX_SCAN_BODY:
        return problem_response(413, detail=_("A scan is at most %(size)d bytes.") % {
            "size": MAX_SCAN_BODY})
    try:
        body = json.loads(request.body)
        scan_id, code = uuid.UUID(str(body["scan_id"])), body["code"]
        if not isinstance(code, str) or not 0 < len(code) <= 512:
            raise ValueError(code)
    except (ValueError, KeyError, TypeError) as exc:
        raise errors.InvalidScan() from exc
    if selectors.performance_get(performance_id=performance_id) is None:
        raise errors.PerformanceNotFound()
    outcome = services.door_scan(scan_id=scan_id, code=code, performance_id=performance_id,
                                 staff=request.user)
    counts = selectors.check_in_progress(performance_id=performance_id)
    seat = ticket_seat_label(code=outcome.code) if outcome.ok else None
    return JsonResponse({
        "scan_id": str(outcome.scan_id), "code": outcome.code, "result": outcome.result.value,
        "ok": outcome.ok, "title": str(TITLES[outcome.result]), "detail": outcome.detail,
        "checked_in_at": outcome.checked_in_at.isoformat() if outcome.checked_in_at else None,
        "order": {"checked_in": outcome.order_checked_in, "tickets": outcome.order_tickets}
        if outcome.order_tickets else None,
        "replayed": outcome.replayed, "counts": _counts(counts),
        **({"seat": seat} if seat else {}),  # a seated performance's: shown big
    })


def door_counts(request: HttpRequest, performance_id: int) -> HttpResponse:
    if request.method != "GET":
        return problem_response(405, detail=_("GET the counts."))
    if selectors.performance_get(performance_id=performance_id) is None:
        raise errors.PerformanceNotFound()
    return JsonResponse({"counts": _counts(
        selectors.check_in_progress(performance_id=performance_id))})


def _counts(check_in: selectors.CheckIn) -> dict[str, int]:
    return {"checked_in": check_in.checked_in, "tickets": check_in.tickets}


# ------------------------------------------------------------------- sales dashboard
@with_csp(DASHBOARD_CSP)
def dashboard_index(request: HttpRequest, *, site: AdminSite, opts) -> TemplateResponse:
    past = request.GET.get("past") == "1"
    rows = []
    for p in selectors.performances_with_seats(now=timezone.now(), past=past):
        free = max(p.capacity - p.seats_sold_exact, 0)
        rows.append({"performance": p, "sold": p.sold, "held": p.held, "free": free,
                     "revenue": money(p.revenue_cents, p.currency),
                     "bar": _seats_bar(p.sold, p.held, free, p.capacity)})
    return TemplateResponse(request, "staff/dashboard_index.html", {
        **site.each_context(request), "opts": opts, "rows": rows, "past": past,
        "codes": _codes_summary(),
        "title": _("Past performances: sales") if past else _("Sales dashboard"),
    })


@with_csp(DASHBOARD_CSP)
def dashboard(request: HttpRequest, performance_id: int, *, site: AdminSite,
              opts) -> TemplateResponse:
    performance = _performance(performance_id)
    now = timezone.now()
    sales = selectors.performance_sales(performance=performance, now=now)
    show_day = timezone.localtime(performance.starts_at).date() == timezone.localdate(now)
    return TemplateResponse(request, "staff/dashboard.html", {
        **site.each_context(request), "opts": opts, "performance": performance,
        "title": _("Sales: %(show)s") % {"show": performance.show.title},
        "subtitle": f"{formats.when(timezone.localtime(performance.starts_at))}"
                    f" · {performance.venue.name}",
        "sales": sales, "revenue": money(sales.revenue_cents, performance.currency),
        "bar": _seats_bar(sales.sold, sales.held, sales.free, performance.capacity),
        "days_chart": _days_chart(sales.days), "hours_chart": _hours_chart(sales.hours),
        "days_with_sales": [{"day": d.day, "tickets": d.tickets, "cumulative": d.cumulative,
                             "revenue": f"{d.revenue_cents / 100:,.2f}"}
                            for d in reversed(sales.days) if d.tickets],
        "hours_with_sales": [h for h in reversed(sales.hours) if h.tickets],
        "currency": performance.currency,
        "show_day": show_day, "check_in": sales.check_in, "now": now,
        "check_in_bar": _check_in_bar(sales.check_in),
        "check_in_url": reverse("admin:staff_salesdashboard_checkin", args=[performance.pk]),
        "door_url": reverse("admin:staff_doormode_door", args=[performance.pk]),
        "house": house_map(performance_id=performance.pk),  # a seated performance's
        "categories": [{"name": c.name, "price": money(c.price_cents, performance.currency),
                        "quota": c.quota, "sold": c.sold, "held": c.held,
                        "revenue": money(c.revenue_cents, performance.currency)}
                       for c in sales.categories],
        "cancellation": cancellation_progress(performance_id=performance.pk),
    })


@with_csp(DASHBOARD_CSP)
def dashboard_check_in(request: HttpRequest, performance_id: int) -> TemplateResponse:
    """The check-in section alone: what the dashboard reloads on the show's day."""
    performance = _performance(performance_id)
    check_in = selectors.check_in_progress(performance_id=performance.pk)
    return TemplateResponse(request, "staff/_check_in.html", {
        "performance": performance, "check_in": check_in, "now": timezone.now(),
        "check_in_bar": _check_in_bar(check_in)})


def _seats_bar(sold: int, held: int, free: int, capacity: int) -> list[charts.Rect]:
    return charts.stacked_bar([charts.Segment("Sold", sold, "sold"),
                               charts.Segment("Held", held, "held"),
                               charts.Segment("Free", free, "free")], total=capacity)


def _check_in_bar(check_in: selectors.CheckIn) -> list[charts.Rect]:
    waiting = check_in.tickets - check_in.checked_in
    return charts.stacked_bar([charts.Segment(_("Checked in"), check_in.checked_in, "sold"),
                               charts.Segment(_("Not yet"), waiting, "free")],
                              total=check_in.tickets)


def _days_chart(days: list[selectors.Day]) -> charts.BarChart | None:
    if not days:
        return None
    stride = charts.every(len(days), at_most=7)
    return charts.bar_chart(
        id="days", title=_("Tickets sold, cumulative, per day"),
        description=_("From %(first)s to %(last)s: %(tickets)s tickets sold in all.") % {
            "first": date_format(days[0].day, "j F"), "last": date_format(days[-1].day, "j F"),
            "tickets": f"{days[-1].cumulative:,}"},
        values=[d.cumulative for d in days],
        bar_titles=[_("%(day)s: %(all)s in all (+%(new)s)") % {
            "day": date_format(d.day, "D j M"), "all": f"{d.cumulative:,}",
            "new": f"{d.tickets:,}"} for d in days],
        x_labels=[(i, date_format(d.day, "j M")) for i, d in enumerate(days)
                  if i % stride == 0])


def _hours_chart(hours: list[selectors.Hour]) -> charts.BarChart:
    local = [(timezone.localtime(h.start), h.tickets) for h in hours]
    return charts.bar_chart(
        id="hours", title=_("Tickets sold per hour, last 48 hours"),
        description=_("%(tickets)s tickets sold since %(since)s.") % {
            "tickets": f"{sum(t for _start, t in local):,}",
            "since": date_format(local[0][0], "D H:i")},
        values=[t for _start, t in local],
        bar_titles=[_("%(hour)s: %(tickets)s tickets") % {
            "hour": date_format(start, "D H:00"), "tickets": f"{t:,}"} for start, t in local],
        x_labels=[(i, date_format(start, "D H:00") if start.hour == 0
                   else f"{start:%H:00}")
                  for i, (start, _t) in enumerate(local) if start.hour % 6 == 0])


def _codes_summary() -> dict[str, Any]:
    """Discounts given by vouchers (orders not released) and the gift-card liability
    (issued - redeemed - expired, refunds and corrections counted), per currency."""
    from vouchers import selectors as vouchers

    def amounts(per_currency: dict[str, int]) -> list[str]:
        return [money(cents, currency) for currency, cents in sorted(per_currency.items())
                ] or [money(0, "EUR")]

    return {"discounts": amounts(vouchers.discounts_given()),
            "liability": amounts(vouchers.gift_card_liability())}
