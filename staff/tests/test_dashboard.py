"""The sales dashboard: its figures are the database's, its queries do not grow with the
number of orders, and only staff see it."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from shows.admin import money
from shows.models import Performance, PriceCategory
from staff import selectors
from tickets.models import Order, OrderLine, OrderStatus, Ticket

pytestmark = pytest.mark.django_db

STATUSES = [OrderStatus.CONFIRMED] * 7 + [OrderStatus.PENDING, OrderStatus.CANCELLED,
                                          OrderStatus.EXPIRED]


def make_orders(performance, count, *, customer, now, check_in_every=3):
    """`count` orders of every status, sold over the last 20 days (some in the last 48
    hours), with tickets for the confirmed ones and some of those checked in; the
    performance's seat count agrees with them."""
    orders = []
    for i in range(count):
        status = STATUSES[i % len(STATUSES)]
        # At least 3 minutes ago, so that even a confirmation (3 minutes later) is past.
        created = now - dt.timedelta(minutes=3 + (i * 419) % (20 * 24 * 60))
        quantity = 1 + i % 4
        orders.append(Order(
            customer=customer, performance=performance, quantity=quantity,
            total_cents=quantity * performance.price_cents, currency=performance.currency,
            status=status, created_at=created,
            confirmed_at=created + dt.timedelta(minutes=3)
            if status == OrderStatus.CONFIRMED else None,
            expires_at=created + dt.timedelta(minutes=10)
            if status == OrderStatus.PENDING else None,
            cancelled_at=created + dt.timedelta(hours=1)
            if status == OrderStatus.CANCELLED else None))
    Order.objects.bulk_create(orders)
    category = performance.categories.first()
    OrderLine.objects.bulk_create(OrderLine(order=o, category=category, quantity=o.quantity,
                                            unit_price_cents=category.price_cents)
                                  for o in orders)
    tickets = [Ticket(order=o, category=category, checked_in_at=now - dt.timedelta(minutes=5)
                      if (i + n) % check_in_every == 0 else None)
               for i, o in enumerate(orders) if o.status == OrderStatus.CONFIRMED
               for n in range(o.quantity)]
    Ticket.objects.bulk_create(tickets)
    taken = sum(o.quantity for o in orders
                if o.status in (OrderStatus.CONFIRMED, OrderStatus.PENDING))
    Performance.objects.filter(pk=performance.pk).update(
        seats_sold=taken, capacity=max(performance.capacity, taken + 7))
    PriceCategory.objects.filter(pk=category.pk).update(seats_sold=taken)
    performance.refresh_from_db()
    return orders


def expected(performance, now):
    """The figures, counted in Python from every order: the test's own arithmetic."""
    orders = list(Order.objects.filter(performance=performance))
    confirmed = [o for o in orders if o.status == OrderStatus.CONFIRMED]
    by_day = Counter()
    by_hour = Counter()
    first_hour = timezone.localtime(now).replace(minute=0, second=0, microsecond=0) \
        - dt.timedelta(hours=47)
    for o in confirmed:
        at = timezone.localtime(o.confirmed_at)
        by_day[at.date()] += o.quantity
        if at >= first_hour:
            by_hour[at.replace(minute=0, second=0, microsecond=0)] += o.quantity
    tickets = Ticket.objects.filter(order__in=confirmed)
    return {
        "sold": sum(o.quantity for o in confirmed),
        "held": sum(o.quantity for o in orders if o.status == OrderStatus.PENDING),
        "free": performance.capacity - performance.seats_sold,
        "orders": len(confirmed),
        "revenue_cents": sum(o.total_cents for o in confirmed),
        "by_day": by_day, "by_hour": by_hour,
        "checked_in": sum(1 for t in tickets if t.checked_in_at),
        "tickets": len(tickets),
    }


@pytest.fixture
def paid_show(make_performance):
    return make_performance(starts_at=timezone.now() + dt.timedelta(days=2), capacity=500,
                            price_cents=2450, currency="EUR")


@pytest.mark.parametrize("zone", ["UTC", "Europe/Paris", "America/New_York"])
def test_the_selectors_figures_are_the_database_s(settings, zone, paid_show, customer):
    settings.TIME_ZONE = zone
    now = timezone.now()
    make_orders(paid_show, 120, customer=customer, now=now)
    want = expected(paid_show, now)
    sales = selectors.performance_sales(performance=paid_show, now=now)
    assert (sales.sold, sales.held, sales.free, sales.orders, sales.revenue_cents) == (
        want["sold"], want["held"], want["free"], want["orders"], want["revenue_cents"])
    assert sales.sold + sales.held + sales.free == paid_show.capacity
    assert {d.day: d.tickets for d in sales.days if d.tickets} == dict(want["by_day"])
    assert sales.days[-1].cumulative == want["sold"]
    assert [d.day for d in sales.days] == [
        sales.days[0].day + dt.timedelta(days=i) for i in range(len(sales.days))]
    assert sales.days[-1].day == timezone.localdate(now)
    assert len(sales.hours) == 48
    assert {h.start: h.tickets for h in sales.hours if h.tickets} == dict(want["by_hour"])
    assert (sales.check_in.checked_in, sales.check_in.tickets) == (
        want["checked_in"], want["tickets"])


def test_the_page_shows_the_database_s_figures(staff_client, paid_show, customer):
    now = timezone.now()
    make_orders(paid_show, 60, customer=customer, now=now)
    want = expected(paid_show, now)
    html = staff_client.get(reverse("admin:staff_salesdashboard_detail",
                                    args=[paid_show.pk])).content.decode()
    figures = dict(re.findall(r'data-figure="([a-z-]+)">([^<]+)<', html))
    assert figures == {
        "sold": str(want["sold"]), "held": str(want["held"]), "free": str(want["free"]),
        "capacity": str(paid_show.capacity), "orders": str(want["orders"]),
        "revenue": money(want["revenue_cents"], "EUR"),
        # Not the show's day, but people checked in already: the figures, no refresh.
        "checked-in": str(want["checked_in"]), "tickets": str(want["tickets"]),
        "waiting": "0", "offered": "0",
    }
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td>'
                      r'<td class="num">(\d+)</td>', html)
    assert sorted(int(tickets) for _, tickets, _ in rows) == sorted(want["by_day"].values())
    assert max(int(cumulative) for _, _, cumulative in rows) == want["sold"]
    assert "<svg" in html and "<title" in html
    assert "data-refresh-url" not in html


def test_the_index_shows_each_performance_s_figures(staff_client, paid_show,
                                                    make_performance, customer):
    other = make_performance(starts_at=timezone.now() + dt.timedelta(days=9), capacity=80,
                             price_cents=1000)
    now = timezone.now()
    make_orders(paid_show, 40, customer=customer, now=now)
    make_orders(other, 11, customer=customer, now=now)
    html = staff_client.get(reverse("admin:staff_salesdashboard_changelist")).content.decode()
    for performance in (paid_show, other):
        want = expected(performance, now)
        row = re.search(rf'<tr data-performance="{performance.pk}">(.*?)</tr>', html, re.S)
        cells = dict(re.findall(r'data-figure="([a-z]+)">([^<]+)<', row.group(1)))
        assert cells == {"sold": str(want["sold"]), "held": str(want["held"]),
                         "free": str(want["free"]),
                         "revenue": money(want["revenue_cents"], performance.currency)}


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_queries_do_not_grow_with_the_orders(staff_client, make_performance, customer):
    now = timezone.now()
    few = make_performance(starts_at=now + dt.timedelta(hours=3), price_cents=1500)
    many = make_performance(starts_at=now + dt.timedelta(hours=4), price_cents=1500)
    make_orders(few, 10, customer=customer, now=now)
    make_orders(many, 1000, customer=customer, now=now)
    assert Order.objects.filter(performance=many).count() == 1000
    for name in ("staff_salesdashboard_detail", "staff_salesdashboard_checkin",
                 "staff_doormode_door"):
        counted = [queries(staff_client, reverse(f"admin:{name}", args=[p.pk]))
                   for p in (few, many)]
        assert counted[0] == counted[1], (name, counted)
    index = reverse("admin:staff_salesdashboard_changelist")
    before = queries(staff_client, index)
    make_orders(make_performance(starts_at=now + dt.timedelta(days=1)), 300,
                customer=customer, now=now)
    assert queries(staff_client, index) == before


def test_the_show_s_day_refreshes_its_check_in_figures(staff_client, tonight, customer):
    now, today = timezone.now(), tonight
    make_orders(today, 20, customer=customer, now=now)
    html = staff_client.get(reverse("admin:staff_salesdashboard_detail",
                                    args=[today.pk])).content.decode()
    fragment = reverse("admin:staff_salesdashboard_checkin", args=[today.pk])
    assert f'data-refresh-url="{fragment}"' in html
    want = expected(today, now)
    part = staff_client.get(fragment).content.decode()
    assert f'<strong data-figure="checked-in">{want["checked_in"]}</strong>' in part
    assert f'<span data-figure="tickets">{want["tickets"]}</span>' in part
    assert "<html" not in part


def test_a_performance_without_sales(staff_client, make_performance):
    performance = make_performance()
    html = staff_client.get(reverse("admin:staff_salesdashboard_detail",
                                    args=[performance.pk])).content.decode()
    assert "No ticket sold yet." in html and "No ticket sold in the last 48 hours." in html


def test_anonymous_and_non_staff_get_the_login_page(make_user, paid_show):
    customer = Client()
    customer.force_login(make_user())
    urls = [reverse("admin:staff_salesdashboard_changelist"),
            reverse("admin:staff_salesdashboard_detail", args=[paid_show.pk]),
            reverse("admin:staff_salesdashboard_checkin", args=[paid_show.pk])]
    for client in (Client(), customer):
        for url in urls:
            response = client.get(url, follow=True)
            assert response.redirect_chain[0][0].startswith(
                f"{reverse('admin:login')}?next={url}")
            assert response.templates[0].name == "admin/login.html"
            assert "data-figure" not in response.content.decode()


def test_the_dashboard_sends_its_csp(staff_client, paid_show):
    response = staff_client.get(reverse("admin:staff_salesdashboard_detail",
                                        args=[paid_show.pk]))
    assert "script-src 'self';" in response["Content-Security-Policy"]


def test_the_waiting_list_counts_are_the_database_s(paid_show, make_user):
    from tickets.models import WaitlistEntry, WaitlistStatus

    for status in ["waiting", "waiting", "offered", "lapsed", "left"]:
        entry = WaitlistEntry(performance=paid_show, customer=make_user(), seats=1,
                              min_seats=1, status="waiting", joined_at=timezone.now())
        entry.save()
        if status == "offered":  # an offer is a held order (the CHECK wants one)
            order = Order.objects.create(customer=entry.customer, performance=paid_show,
                                         quantity=1, total_cents=100, currency="EUR",
                                         status="pending", created_at=timezone.now(),
                                         expires_at=timezone.now())
            WaitlistEntry.objects.filter(pk=entry.pk).update(offer_order=order)
        WaitlistEntry.objects.filter(pk=entry.pk).update(status=status)
    sales = selectors.performance_sales(performance=paid_show)
    expected_counts = {s: WaitlistEntry.objects.filter(performance=paid_show, status=s).count()
                       for s in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED)}
    assert (sales.waiting, sales.offered) == (expected_counts["waiting"],
                                             expected_counts["offered"]) == (2, 1)
