"""The box-office counter in Chromium, on a tablet: a cash sale with its change, a comp
with a reason, a phone booking later paid at the counter; then the end-of-day report shows
exactly these. axe-core's WCAG A/AA rules on each page; screenshots to var/screenshots/."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from shows.models import Show
from staff.models import CounterSale
from tickets.models import Order, OrderStatus

from .browser import assert_accessible, shoot

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PRICES = [{"name": "Full price", "price_cents": 2500, "sort_order": 0},
          {"name": "Reduced", "price_cents": 1500, "sort_order": 1}]


@pytest.fixture
def evening(make_performance):
    performance = make_performance(starts_at=timezone.now() + dt.timedelta(hours=5),
                                   capacity=40, categories=PRICES)
    Show.objects.filter(pk=performance.show_id).update(title="The Tempest")
    return performance


def quantity(page, name: str, n: int) -> None:
    page.get_by_label(name).fill(str(n))


def summary(page, name: str) -> str:
    return page.locator(f"#summary #{name}").inner_text()


def test_a_day_at_the_counter_and_its_report(staff_page, staff_user, evening):
    page = staff_page(width=820, height=1180)  # a tablet, upright
    page.goto(reverse("admin:staff_counter_changelist"))
    page.get_by_role("link", name="The Tempest").first.click()
    assert_accessible(page, "the counter")
    shoot(page, "counter-820")

    # Cash: 2 full price (50.00), 60 given → 10.00 back.
    quantity(page, "Full price", 2)
    page.get_by_label("Cash", exact=True).check()
    page.get_by_label("Cash given").fill("60")
    page.get_by_label("Name").fill("Ada Walk-up")
    page.get_by_role("button", name="Make the sale").click()
    assert page.locator("h1").inner_text() == "Sold"
    assert summary(page, "total") == "50.00 EUR"
    assert summary(page, "change") == "10.00 EUR"
    assert page.locator("#print-a4").get_attribute("href").endswith("tickets.pdf?layout=a4")
    assert_accessible(page, "a cash sale")
    shoot(page, "counter-sale-820")
    pdf = page.request.get(page.locator("#print-thermal").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # A comp for the press: no reason, refused; with one, free.
    page.get_by_role("link", name="Next sale").click()
    quantity(page, "Full price", 1)
    page.get_by_label("Comp (free)").check()
    page.get_by_role("button", name="Make the sale").click()
    assert "needs a reason" in page.locator("#problem").inner_text()
    page.get_by_label("Press").check()
    page.get_by_role("button", name="Make the sale").click()
    assert summary(page, "total").startswith("0.00 EUR")
    assert "Press" in summary(page, "method")

    # A phone booking: 2 reduced, held until 30 minutes before the start (the default).
    page.get_by_role("link", name="Next sale").click()
    quantity(page, "Reduced", 2)
    page.get_by_label("Pay later (phone booking)").check()
    page.get_by_label("Name").fill("Ben on the phone")
    page.get_by_role("button", name="Make the sale").click()
    assert page.locator("h1").inner_text() == "Phone booking held"
    assert page.locator("#print-a4").count() == 0  # nothing to print before it is paid
    booking = Order.objects.get(counter_sale__method="pay_later")
    assert booking.status == OrderStatus.PENDING
    assert booking.expires_at == evening.starts_at.replace(second=0, microsecond=0) \
        - dt.timedelta(minutes=30)

    # Later, Ben comes to the counter: found among the phone bookings, paid by card.
    page.goto(reverse("admin:staff_counter_changelist"))
    page.get_by_role("link", name="Phone bookings").click()
    page.get_by_role("link", name="Ben on the phone").click()
    page.locator("#collect").get_by_label("Card terminal").check()
    page.get_by_role("button", name="Take the payment").click()
    assert page.locator("h1").inner_text() == "Sold"
    assert page.locator("#print-a4").count() == 1
    booking.refresh_from_db()
    assert booking.status == OrderStatus.CONFIRMED and booking.tickets.count() == 2

    # The end-of-day report: exactly these three.
    page.goto(reverse("admin:staff_endofdayreport_changelist"))
    rows = page.eval_on_selector_all(
        "#end-of-day tbody tr", "rows => rows.map(r => [r.dataset.staff, r.dataset.method,"
        " ...[...r.querySelectorAll('[data-figure]')].map(c => c.textContent.trim())])")
    name = staff_user.get_username()
    assert sorted(rows) == sorted([
        [name, "card", "1", "2", "30.00 EUR", "0", "0", ""],
        [name, "cash", "1", "2", "50.00 EUR", "0", "0", "50.00 EUR"],
        [name, "comp", "0", "1", "0.00 EUR", "1", "0", ""],
    ])
    total = page.locator("#end-of-day tfoot tr")
    paid = Order.objects.filter(counter_sale__paid_at__isnull=False).aggregate(
        n=Sum("total_cents"), tickets=Sum("quantity"))
    assert paid == {"n": 8000, "tickets": 5}
    assert total.locator("[data-figure='amount']").inner_text() == "80.00 EUR"
    assert total.locator("[data-figure='tickets']").inner_text() == "5"
    assert total.locator("[data-figure='cash']").inner_text() == "50.00 EUR"
    assert CounterSale.objects.count() == 3
    assert_accessible(page, "the end-of-day report")
    shoot(page, "end-of-day-820")
    csv = page.request.get(page.locator("#csv").get_attribute("href"))
    assert csv.ok and "TOTAL,,EUR,2,5,80.00,1,25.00,0,0.00,50.00" in csv.text()


def test_a_cash_sale_refunded_at_the_counter_leaves_the_drawer_as_it_was(
        staff_page, staff_user, evening):
    page = staff_page(width=820, height=1180)
    page.goto(reverse("admin:staff_counter_sell", args=[evening.pk]))
    quantity(page, "Full price", 2)
    page.get_by_label("Cash", exact=True).check()
    page.get_by_label("Cash given").fill("50")
    page.get_by_role("button", name="Make the sale").click()
    assert page.locator("h1").inner_text() == "Sold"

    # The clerk's sales of today: this one, with what to give back; refunded from there.
    page.goto(reverse("admin:staff_counter_changelist"))
    page.get_by_role("link", name="My sales today (refunds)").click()
    sale = page.locator(".refundable-sale")
    assert sale.count() == 1
    assert sale.locator(".give-back").inner_text() == "Give back 50.00 EUR in cash"
    assert_accessible(page, "the clerk's sales of today")
    shoot(page, "counter-refunds-820")
    sale.get_by_role("button", name="Refund").click()
    assert page.locator("#notice").inner_text() == "Refunded. Give back 50.00 EUR in cash."
    assert sale.locator(".refunded").inner_text() == "Refunded"
    assert sale.get_by_role("button", name="Refund").count() == 0
    order = Order.objects.get(counter_sale__isnull=False)
    assert order.status == OrderStatus.CANCELLED and order.refund_cents == 5000
    evening.refresh_from_db()
    assert evening.seats_sold == 0

    # The report: one cash sale of 50.00, refunded: nothing expected in the drawer.
    page.goto(reverse("admin:staff_endofdayreport_changelist"))
    rows = page.eval_on_selector_all(
        "#end-of-day tbody tr", "rows => rows.map(r => [r.dataset.staff, r.dataset.method,"
        " ...[...r.querySelectorAll('[data-figure]')].map(c => c.textContent.trim())])")
    assert rows == [[staff_user.get_username(), "cash", "1", "2", "50.00 EUR", "0", "1",
                     "0.00 EUR"]]


def test_seats_ticked_on_the_grid_are_sold(staff_page, make_seated):
    from seating.models import Seat
    from tickets.models import Ticket

    seated = make_seated("A: s s s s\nB: s s s s", zones={"s": ("Stalls", 2000)},
                         starts_at=timezone.now() + dt.timedelta(hours=5))
    page = staff_page(width=820, height=1180)
    page.goto(reverse("admin:staff_counter_sell", args=[seated.pk]))
    grid = page.locator("#seat-grid")
    assert grid.locator("input[name=seat]").count() == 8
    assert_accessible(page, "the counter's seat grid")
    shoot(page, "counter-seats-820")
    grid.get_by_label("Stalls, row B, seat 2 (Stalls, 20.00 EUR)").check()
    grid.get_by_label("Stalls, row B, seat 3 (Stalls, 20.00 EUR)").check()
    page.get_by_label("Card terminal").check()
    page.get_by_role("button", name="Make the sale").click()
    assert page.locator("h1").inner_text() == "Sold"
    assert summary(page, "total") == "40.00 EUR"
    sold = set(Ticket.objects.values_list("seat_id", flat=True))
    assert sold == set(Seat.objects.filter(layout=seated.layout, row="B",
                                           number__in=["2", "3"]).values_list("pk", flat=True))
    page.get_by_role("link", name="Next sale").click()
    assert page.locator("#seat-grid input[name=seat]").count() == 6  # those two are gone
