"""The counter against online buyers on PostgreSQL, in parallel (each call its own
connection, released together by a barrier): the last seats are never oversold, and a
lapsing phone booking is released exactly once — or paid, never both."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from project.errors import DomainError
from staff import counter
from staff.models import CounterMethod, CounterSale
from tickets.holds import orders_release_expired
from tickets.lines import LineRequest
from tickets.models import Order, OrderStatus
from tickets.services import order_reserve

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

PRICES = [{"name": "Full price", "price_cents": 2500}, {"name": "Reduced", "price_cents": 1500}]


def refused(call):
    def run():
        try:
            return call()
        except DomainError as exc:
            return exc
    return run


@pytest.fixture
def nearly_full(make_performance, make_user):
    """30 seats, 20 of them sold: the last 10 are left."""
    performance = make_performance(starts_at=timezone.now() + dt.timedelta(hours=6),
                                   capacity=30, categories=PRICES)
    full = performance.categories.get(name="Full price")
    for _ in range(2):
        order_reserve(user=make_user(), performance_id=performance.pk,
                      lines=[LineRequest(full.pk, 10)], paid_at_box_office=True)
    return performance


def test_counter_and_online_buyers_for_the_last_ten_seats_never_oversell(
        nearly_full, make_staff, make_user, in_parallel, assert_seats_exact):
    assert connection.vendor == "postgresql"
    clerk = make_staff("Box office")
    full, reduced = (nearly_full.categories.get(name=n) for n in ("Full price", "Reduced"))
    buyers = [make_user() for _ in range(6)]
    at_counter = [refused(lambda i=i: counter.counter_sell(staff=clerk, sale=counter.Sale(
        performance_id=nearly_full.pk, method=CounterMethod.CASH, given_cents=10000,
        lines=[LineRequest((full, reduced)[i % 2].pk, 2)],
        customer_email=f"walkup{i}@example.com" if i % 3 == 0 else "")))
        for i in range(6)]
    online = [refused(lambda user=user: order_reserve(
        user=user, performance_id=nearly_full.pk, lines=[LineRequest(reduced.pk, 2)]))
        for user in buyers]
    outcomes = in_parallel([*at_counter, *online])
    sold = [o for o in outcomes if not isinstance(o, Exception)]
    assert len(sold) == 5  # 10 seats, 2 each: 24 asked for
    nearly_full.refresh_from_db()
    assert nearly_full.seats_sold == nearly_full.capacity == 30
    counter_sold = CounterSale.objects.count()
    assert counter_sold == sum(isinstance(o, CounterSale) for o in outcomes)
    assert Order.objects.filter(status__in=[OrderStatus.CONFIRMED, OrderStatus.PENDING]
                                ).count() == 2 + 5
    assert_seats_exact(nearly_full)


def test_a_lapsed_phone_booking_is_released_exactly_once(nearly_full, make_staff,
                                                         in_parallel, assert_seats_exact):
    clerk = make_staff("Box office")
    now = timezone.now()
    reduced = nearly_full.categories.get(name="Reduced")
    booking = counter.counter_sell(staff=clerk, now=now, sale=counter.Sale(
        performance_id=nearly_full.pk, method=CounterMethod.PAY_LATER,
        lines=[LineRequest(reduced.pk, 4)], customer_name="On the phone",
        hold_until=now + dt.timedelta(minutes=20)))
    later = now + dt.timedelta(minutes=21)
    outcomes = in_parallel([lambda: orders_release_expired(now=later)] * 6)
    assert sum(outcomes) == 1
    with pytest.raises(DomainError):
        counter.counter_collect(staff=clerk, order_id=booking.pk, method=CounterMethod.CARD,
                                now=later)
    order = Order.objects.get(pk=booking.pk)
    assert order.status == OrderStatus.EXPIRED and not order.tickets.exists()
    nearly_full.refresh_from_db()
    assert nearly_full.seats_sold == 20
    assert_seats_exact(nearly_full)


def test_paying_a_lapsed_phone_booking_while_the_job_runs_releases_it_once(
        nearly_full, make_staff, in_parallel, assert_seats_exact):
    clerk = make_staff("Box office")
    now = timezone.now()
    booking = counter.counter_sell(staff=clerk, now=now, sale=counter.Sale(
        performance_id=nearly_full.pk, method=CounterMethod.PAY_LATER,
        lines=[LineRequest(nearly_full.categories.get(name="Full price").pk, 4)],
        hold_until=now + dt.timedelta(minutes=20)))
    later = now + dt.timedelta(minutes=21)
    outcomes = in_parallel(
        [lambda: orders_release_expired(now=later)] * 3
        + [refused(lambda: counter.counter_collect(staff=clerk, order_id=booking.pk,
                                                   method=CounterMethod.CARD, now=later))] * 3)
    assert sum(outcomes[:3]) <= 1  # or a payment attempt released it (counter_collect)
    assert all(isinstance(o, DomainError) for o in outcomes[3:])
    assert Order.objects.get(pk=booking.pk).status == OrderStatus.EXPIRED
    nearly_full.refresh_from_db()
    assert nearly_full.seats_sold == 20  # released once: not twice, not never
    assert_seats_exact(nearly_full)


def test_a_phone_booking_paid_as_it_lapses_is_paid_or_released_never_both(
        nearly_full, make_staff, in_parallel, assert_seats_exact):
    clerk = make_staff("Box office")
    now = timezone.now()
    reduced = nearly_full.categories.get(name="Reduced")
    booking = counter.counter_sell(staff=clerk, now=now, sale=counter.Sale(
        performance_id=nearly_full.pk, method=CounterMethod.PAY_LATER,
        lines=[LineRequest(reduced.pk, 3)], hold_until=now + dt.timedelta(minutes=20)))
    just_before = now + dt.timedelta(minutes=19, seconds=59)
    outcomes = in_parallel(
        [refused(lambda: counter.counter_collect(staff=clerk, order_id=booking.pk,
                                                 method=CounterMethod.CASH, given_cents=5000,
                                                 now=just_before))]
        + [lambda: orders_release_expired(now=now + dt.timedelta(minutes=20))] * 3)
    order = Order.objects.get(pk=booking.pk)
    paid = isinstance(outcomes[0], CounterSale)
    assert order.status == (OrderStatus.CONFIRMED if paid else OrderStatus.EXPIRED)
    assert sum(outcomes[1:]) == (0 if paid else 1)
    assert order.tickets.count() == (3 if paid else 0)
    assert_seats_exact(nearly_full)


def test_two_parallel_refunds_of_one_sale_refund_it_once(nearly_full, make_staff,
                                                         in_parallel, assert_seats_exact):
    from staff import counter_refunds, reports
    from staff.errors import AlreadyRefunded

    clerk, manager = make_staff("Box office"), make_staff("Manager")
    full = nearly_full.categories.get(name="Full price")
    record = counter.counter_sell(staff=clerk, sale=counter.Sale(
        performance_id=nearly_full.pk, method=CounterMethod.CASH, given_cents=10000,
        lines=[LineRequest(full.pk, 3)]))
    outcomes = in_parallel([refused(lambda staff=staff: counter_refunds.counter_refund(
        staff=staff, order_id=record.pk)) for staff in (clerk, clerk, manager)])
    assert sum(isinstance(o, Order) for o in outcomes) == 1
    assert sum(isinstance(o, AlreadyRefunded) for o in outcomes) == 2
    nearly_full.refresh_from_db()
    assert nearly_full.seats_sold == 20  # the 3 seats given back once
    assert_seats_exact(nearly_full)
    row = next(r for r in reports.end_of_day_report(first=timezone.localdate()).rows
               if r.method == CounterMethod.CASH)
    assert (row.refunds, row.refund_cents, row.cash_expected_cents) == (1, 7500, 0)
