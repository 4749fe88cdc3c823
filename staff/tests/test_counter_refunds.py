"""Refunds at the counter (staff/counter_refunds.py, the counter's refunds page and POST):
Box office refunds its own cash and card-terminal sales of the day, Manager any counter
sale, everyone else gets a 403; a refund releases the seats once and the end-of-day report
counts it (the cash expected in the drawer goes down)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shows.admin import money
from staff import counter, counter_refunds, errors, reports
from staff.models import CounterMethod, CounterSale
from tickets.lines import LineRequest
from tickets.models import Order, OrderStatus

pytestmark = pytest.mark.django_db

PRICES = [{"name": "Full price", "price_cents": 2500}, {"name": "Reduced", "price_cents": 1500}]


@pytest.fixture
def show_night(make_performance):
    return make_performance(starts_at=timezone.now() + dt.timedelta(hours=5), capacity=40,
                            categories=PRICES)


@pytest.fixture
def other_clerk(make_staff):
    return make_staff("Box office", username="other-clerk")


def sell(staff, performance, method=CounterMethod.CASH, seats=2, **fields):
    full = performance.categories.get(name="Full price")
    if method == CounterMethod.CASH:
        fields.setdefault("given_cents", 10_000)
    return counter.counter_sell(staff=staff, now=fields.pop("now", None), sale=counter.Sale(
        performance_id=performance.pk, lines=[LineRequest(full.pk, seats)], method=method,
        **fields))


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def refund_url(record):
    return reverse("admin:staff_counter_refund", args=[record.pk])


def status(record):
    return Order.objects.values_list("status", flat=True).get(pk=record.pk)


# ------------------------------------------------------------------------- the service
def test_a_clerk_refunds_their_own_cash_sale_of_today(clerk, show_night, assert_seats_exact):
    record = sell(clerk, show_night, seats=2)  # 2 at 25.00, 100.00 given
    card = sell(clerk, show_night, CounterMethod.CARD, seats=1)
    order = counter_refunds.counter_refund(staff=clerk, order_id=record.pk)
    assert order.status == OrderStatus.CANCELLED and order.refund_cents == 5000
    show_night.refresh_from_db()
    assert show_night.seats_sold == 1  # the card sale's seat only
    assert_seats_exact(show_night)
    today = timezone.localdate()
    report = reports.end_of_day_report(first=today)
    cash = next(r for r in report.rows if r.method == CounterMethod.CASH)
    assert (cash.sales, cash.amount_cents, cash.refunds, cash.refund_cents) == (1, 5000, 1, 5000)
    assert cash.cash_expected_cents == 0 == reports.cash_expected_cents(report, "EUR")
    counter_refunds.counter_refund(staff=clerk, order_id=card.pk)
    by_card = next(r for r in reports.end_of_day_report(first=today).rows
                   if r.method == CounterMethod.CARD)
    assert (by_card.refunds, by_card.refund_cents) == (1, 2500)


def test_a_clerk_may_not_refund_another_clerks_sale_nor_an_earlier_days(
        clerk, other_clerk, manager, show_night):
    theirs = sell(other_clerk, show_night)
    yesterday = sell(clerk, show_night, now=timezone.now() - dt.timedelta(days=1))
    for record in (theirs, yesterday):
        with pytest.raises(errors.Forbidden):
            counter_refunds.counter_refund(staff=clerk, order_id=record.pk)
        assert status(record) == OrderStatus.CONFIRMED
    for record in (theirs, yesterday):  # a manager refunds any
        counter_refunds.counter_refund(staff=manager, order_id=record.pk)
        assert status(record) == OrderStatus.CANCELLED


def test_a_phone_booking_is_the_clerks_who_took_its_payment(clerk, other_clerk, manager,
                                                           show_night):
    booking = sell(other_clerk, show_night, CounterMethod.PAY_LATER,
                   hold_until=timezone.now() + dt.timedelta(hours=1))
    with pytest.raises(errors.Forbidden):  # nothing paid to them (nor to anyone) yet
        counter_refunds.counter_refund(staff=other_clerk, order_id=booking.pk)
    with pytest.raises(errors.NotRefundable):  # a manager may: there is nothing to refund
        counter_refunds.counter_refund(staff=manager, order_id=booking.pk)
    counter.counter_collect(staff=clerk, order_id=booking.pk, method=CounterMethod.CASH,
                            given_cents=5000)
    with pytest.raises(errors.Forbidden):
        counter_refunds.counter_refund(staff=other_clerk, order_id=booking.pk)
    assert counter_refunds.counter_refund(staff=clerk, order_id=booking.pk).refund_cents == 5000


def test_a_comp_is_not_refunded_and_a_sale_is_refunded_once(clerk, manager, show_night,
                                                            assert_seats_exact):
    comp = sell(manager, show_night, CounterMethod.COMP, comp_reason="press")
    with pytest.raises(errors.NotRefundable):
        counter_refunds.counter_refund(staff=manager, order_id=comp.pk)
    record = sell(clerk, show_night, seats=3)
    counter_refunds.counter_refund(staff=clerk, order_id=record.pk)
    with pytest.raises(errors.AlreadyRefunded):
        counter_refunds.counter_refund(staff=clerk, order_id=record.pk)
    with pytest.raises(errors.AlreadyRefunded):
        counter_refunds.counter_refund(staff=manager, order_id=record.pk)
    show_night.refresh_from_db()
    assert show_night.seats_sold == 2  # the comp's
    assert_seats_exact(show_night)


# --------------------------------------------------------------------- pages and POSTs
def test_the_refunds_page_lists_the_clerks_own_sales_of_today(clerk, other_clerk, show_night):
    mine = sell(clerk, show_night, seats=2, customer_name="Ada")
    by_card = sell(clerk, show_night, CounterMethod.CARD, seats=1)
    theirs = sell(other_clerk, show_night, customer_name="Not mine")
    old = sell(clerk, show_night, now=timezone.now() - dt.timedelta(days=1))
    page = client_for(clerk).get(reverse("admin:staff_counter_refunds"))
    assert page.status_code == 200
    html = page.content.decode()
    for record in (mine, by_card):
        assert f"sale-{record.pk}" in html and refund_url(record) in html
    for record in (theirs, old):
        assert f"sale-{record.pk}" not in html
    assert f"Give back {money(5000, 'EUR')} in cash" in html
    assert f"Refund {money(2500, 'EUR')} on the card terminal" in html
    picker = client_for(clerk).get(reverse("admin:staff_counter_changelist"))
    assert reverse("admin:staff_counter_refunds") in picker.content.decode()


@pytest.mark.parametrize("role", ["Door", None])
def test_without_the_refund_permission_the_page_and_the_post_are_403(
        make_staff, clerk, show_night, role):
    record = sell(clerk, show_night)
    client = client_for(make_staff(role))
    assert client.get(reverse("admin:staff_counter_refunds")).status_code == 403
    assert client.post(refund_url(record)).status_code == 403
    assert status(record) == OrderStatus.CONFIRMED


def test_a_clerks_refund_post_boundaries(clerk, other_clerk, manager, show_night):
    mine = sell(clerk, show_night)
    theirs = sell(other_clerk, show_night)
    old = sell(clerk, show_night, now=timezone.now() - dt.timedelta(days=1))
    client = client_for(clerk)
    for record in (theirs, old):
        assert client.post(refund_url(record)).status_code == 403
        assert status(record) == OrderStatus.CONFIRMED
        sale_page = client.get(reverse("admin:staff_counter_sale", args=[record.pk]))
        assert refund_url(record) not in sale_page.content.decode()  # no button
    sale_page = client.get(reverse("admin:staff_counter_sale", args=[mine.pk]))
    assert refund_url(mine) in sale_page.content.decode()
    response = client.post(refund_url(mine))
    assert response.status_code == 302
    assert status(mine) == OrderStatus.CANCELLED
    notice = client.get(response["Location"]).content.decode()
    assert f"Refunded. Give back {money(5000, 'EUR')} in cash." in notice
    again = client.post(refund_url(mine))  # refunded already: said so, nothing changes
    assert again.status_code == 409 and "already refunded" in again.content.decode()
    # A manager refunds another clerk's sale and an earlier day's, over the same POST.
    boss = client_for(manager)
    for record in (theirs, old):
        assert boss.post(refund_url(record)).status_code == 302
        assert status(record) == OrderStatus.CANCELLED
    assert client.get(refund_url(mine)).status_code == 302  # a GET changes nothing


def test_refunding_a_comp_over_the_post_is_refused(manager, show_night):
    comp = sell(manager, show_night, CounterMethod.COMP, comp_reason="artist")
    response = client_for(manager).post(refund_url(comp))
    assert response.status_code == 409
    assert status(comp) == OrderStatus.CONFIRMED
    assert CounterSale.objects.get(pk=comp.pk).method == CounterMethod.COMP
