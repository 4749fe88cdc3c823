"""The sales dashboard in Chromium: its figures, axe-core's WCAG A/AA rules, the check-in
section that refreshes by itself on the show's day, and screenshots at 1000 and 360 px."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from shows.models import Performance, Show
from tickets.models import OrderStatus, Ticket
from tickets.services import ticket_check_in

from .browser import assert_accessible, shoot
from .test_dashboard import expected, make_orders

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def figure(page, name, within="#content-main"):
    return page.locator(f"{within} [data-figure='{name}']").inner_text()


def wait_for_figure(page, name, value, within="#check-in-body"):
    page.locator(f"{within} [data-figure='{name}']", has_text=str(value)).wait_for()


def test_the_dashboard_on_the_show_s_day(staff_page, tonight, customer):
    Show.objects.filter(pk=tonight.show_id).update(title="The Tempest")
    Performance.objects.filter(pk=tonight.pk).update(price_cents=2450)
    tonight.refresh_from_db()
    now = timezone.now()
    make_orders(tonight, 160, customer=customer, now=now, check_in_every=4)
    want = expected(tonight, now)
    page = staff_page(width=1000, height=900)
    page.clock.install()  # the refresh's timer, run by the test
    page.goto(reverse("admin:staff_salesdashboard_detail", args=[tonight.pk]))
    for name in ("sold", "held", "free", "orders"):
        assert figure(page, name) == str(want[name])
    assert figure(page, "revenue") == f"{want['revenue_cents'] / 100:,.2f} EUR"
    assert figure(page, "checked-in", "#check-in-body") == str(want["checked_in"])
    assert page.locator("svg.bar-chart").count() == 2
    shoot(page, "dashboard-1000")
    page.set_viewport_size({"width": 360, "height": 740})
    shoot(page, "dashboard-360")
    page.set_viewport_size({"width": 1000, "height": 900})

    # Someone is let in at the door: the figure follows within 15 seconds.
    waiting = Ticket.objects.filter(order__performance=tonight, checked_in_at=None,
                                    order__status=OrderStatus.CONFIRMED)
    ticket_check_in(code=waiting.first().code)
    page.clock.run_for(16_000)
    wait_for_figure(page, "checked-in", want["checked_in"] + 1)
    # Paused, it stays as it is.
    page.get_by_role("button", name="Refresh by itself").click()
    assert page.get_attribute("#refresh-toggle", "aria-pressed") == "false"
    ticket_check_in(code=waiting.first().code)
    page.clock.run_for(31_000)
    assert figure(page, "checked-in", "#check-in-body") == str(want["checked_in"] + 1)
    page.get_by_role("button", name="Refresh by itself").click()  # on again: at once
    wait_for_figure(page, "checked-in", want["checked_in"] + 2)

    for summary in page.locator("summary").all():
        summary.click()  # the figures behind the charts, for axe too
    assert page.locator("#by-day tbody tr").count() == len(want["by_day"])
    assert_accessible(page, "the sales dashboard")


def test_the_index(staff_page, tonight, make_performance, customer):
    Show.objects.filter(pk=tonight.show_id).update(title="The Tempest")
    Performance.objects.filter(pk=tonight.pk).update(price_cents=2450)
    tonight.refresh_from_db()
    later = make_performance(show=tonight.show, capacity=120, price_cents=2500,
                             starts_at=tonight.starts_at + timezone.timedelta(days=1))
    now = timezone.now()
    make_orders(tonight, 60, customer=customer, now=now)
    make_orders(later, 25, customer=customer, now=now)
    page = staff_page(width=1000, height=700)
    page.goto(reverse("admin:index"))
    page.get_by_role("link", name="Sales dashboard").first.click()
    page.locator(f"tr[data-performance='{later.pk}']").wait_for()
    assert figure(page, "sold", f"tr[data-performance='{later.pk}']") == \
        str(expected(later, now)["sold"])
    assert page.evaluate("document.querySelector('.table-scroll').scrollWidth <= "
                         "document.querySelector('.table-scroll').clientWidth")  # no scroll
    assert_accessible(page, "the dashboard's index")
    shoot(page, "dashboard-index-1000")
    page.get_by_role("link", name="The Tempest").first.click()
    page.get_by_role("heading", name="Sales: The Tempest").wait_for()
