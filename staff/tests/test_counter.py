"""The box-office counter (staff/counter.py) and the end-of-day report (staff/reports.py):
cash with change, card, comps with a reason, pay-later bookings held, lapsed and paid; the
report's figures against the database's."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum
from django.utils import timezone

from staff import counter, errors, reports
from staff.models import CounterMethod, CounterSale
from tickets import errors as ticket_errors
from tickets.holds import orders_release_expired
from tickets.lines import LineRequest
from tickets.models import MAX_SEATS_PER_PERSON, Order, OrderStatus, SeatHolding
from tickets.services import order_cancel, order_reserve

pytestmark = pytest.mark.django_db

PRICES = [{"name": "Full price", "price_cents": 2500, "sort_order": 0},
          {"name": "Reduced", "price_cents": 1500, "sort_order": 1}]


@pytest.fixture
def show_night(make_performance):
    return make_performance(starts_at=timezone.now() + dt.timedelta(hours=5), capacity=60,
                            categories=PRICES)


def lines(performance, full=0, reduced=0):
    by_name = {c.name: c.pk for c in performance.categories.all()}
    found = [LineRequest(by_name["Full price"], full), LineRequest(by_name["Reduced"], reduced)]
    return [line for line in found if line.quantity]


def sell(staff, performance, method, **fields):
    wanted = {"full": fields.pop("full", 0 if "reduced" in fields else 1),
              "reduced": fields.pop("reduced", 0)}
    now = fields.pop("now", None)
    return counter.counter_sell(staff=staff, sale=counter.Sale(
        performance_id=performance.pk, lines=lines(performance, **wanted),
        method=method, **fields), now=now)


def test_a_cash_sale_is_confirmed_with_its_change(clerk, show_night, assert_seats_exact):
    record = sell(clerk, show_night, CounterMethod.CASH, full=2, reduced=1,
                  given_cents=10000, customer_name="Ada")
    order = record.order
    assert order.status == OrderStatus.CONFIRMED and order.total_cents == 6500
    assert order.tickets.count() == 3
    assert (record.amount_cents, record.given_cents, record.change_cents) == (6500, 10000, 3500)
    assert (record.paid_method, record.paid_by, record.sold_by) == ("cash", clerk, clerk)
    assert order.customer.username.startswith("walk-in-")
    assert_seats_exact(show_night)


def test_too_little_cash_sells_nothing(clerk, show_night):
    with pytest.raises(errors.NotEnoughCash):
        sell(clerk, show_night, CounterMethod.CASH, given_cents=2000)
    with pytest.raises(errors.NotEnoughCash):
        sell(clerk, show_night, CounterMethod.CASH)
    show_night.refresh_from_db()
    assert show_night.seats_sold == 0 and not Order.objects.exists()


def test_a_card_sale_with_an_email_is_the_customers(clerk, show_night, make_user):
    known = make_user(email="ben@example.com")
    record = sell(clerk, show_night, CounterMethod.CARD, customer_email="Ben@Example.com")
    assert record.order.customer == known and record.paid_method == "card"
    fresh = sell(clerk, show_night, CounterMethod.CARD, customer_email="new@example.com")
    assert fresh.order.customer.email == "new@example.com"
    assert not fresh.order.customer.has_usable_password()


def test_a_comp_costs_nothing_keeps_its_list_price_and_needs_a_reason(manager, show_night,
                                                                      assert_seats_exact):
    with pytest.raises(errors.CompNeedsReason):
        sell(manager, show_night, CounterMethod.COMP)
    record = sell(manager, show_night, CounterMethod.COMP, full=2, comp_reason="press")
    order = Order.objects.get(pk=record.pk)
    assert order.status == OrderStatus.CONFIRMED and order.total_cents == 0
    assert set(order.lines.values_list("unit_price_cents", flat=True)) == {0}
    assert (record.list_price_cents, record.amount_cents, record.comp_reason) == (5000, 0,
                                                                                 "press")
    assert_seats_exact(show_night)


def test_box_office_may_not_give_comps_and_door_may_not_sell(clerk, make_staff,
                                                             show_night):
    with pytest.raises(errors.Forbidden):
        sell(clerk, show_night, CounterMethod.COMP, comp_reason="press")
    door = make_staff("Door")
    for method in CounterMethod:
        with pytest.raises(errors.Forbidden):
            sell(door, show_night, method, comp_reason="press", given_cents=9999,
                 hold_until=timezone.now() + dt.timedelta(hours=1))
    assert not Order.objects.exists()


def test_walk_in_sales_go_past_the_per_person_cap(clerk, show_night, assert_seats_exact):
    for _ in range(3):
        sell(clerk, show_night, CounterMethod.CARD, full=MAX_SEATS_PER_PERSON - 2)
    show_night.refresh_from_db()
    assert show_night.seats_sold == 3 * (MAX_SEATS_PER_PERSON - 2)
    walk_ins = {o.customer_id for o in Order.objects.all()}
    assert len(walk_ins) == 3  # each holds at most the cap
    assert all(h.seats <= MAX_SEATS_PER_PERSON for h in SeatHolding.objects.all())
    assert_seats_exact(show_night)


def test_a_pay_later_booking_is_held_until_the_time_chosen(clerk, show_night):
    now = timezone.now()
    late = show_night.starts_at - dt.timedelta(minutes=29)
    for bad in (None, now - dt.timedelta(minutes=1), late):
        with pytest.raises(errors.HoldUntilInvalid):
            sell(clerk, show_night, CounterMethod.PAY_LATER, hold_until=bad, now=now)
    until = show_night.starts_at - counter.PAY_LATER_LAST_HOLD
    record = sell(clerk, show_night, CounterMethod.PAY_LATER, full=2, hold_until=until,
                  customer_name="Phone", now=now)
    order = record.order
    assert order.status == OrderStatus.PENDING and order.expires_at == until
    assert record.paid_at is None and not order.tickets.exists()


def test_a_pay_later_booking_paid_at_the_counter_is_confirmed_once(clerk, show_night,
                                                                   assert_seats_exact):
    until = timezone.now() + dt.timedelta(hours=1)
    booking = sell(clerk, show_night, CounterMethod.PAY_LATER, full=1, reduced=1,
                   hold_until=until)
    with pytest.raises(errors.NotEnoughCash):
        counter.counter_collect(staff=clerk, order_id=booking.pk,
                                method=CounterMethod.CASH, given_cents=100)
    paid = counter.counter_collect(staff=clerk, order_id=booking.pk,
                                   method=CounterMethod.CASH, given_cents=5000)
    assert (paid.amount_cents, paid.change_cents, paid.paid_method) == (4000, 1000, "cash")
    order = Order.objects.get(pk=booking.pk)
    assert order.status == OrderStatus.CONFIRMED and order.tickets.count() == 2
    with pytest.raises(errors.BookingNotPending):
        counter.counter_collect(staff=clerk, order_id=booking.pk,
                                method=CounterMethod.CARD)
    assert_seats_exact(show_night)


def test_a_lapsed_pay_later_booking_is_released_by_the_job_and_cannot_be_paid(
        clerk, show_night, assert_seats_exact):
    now = timezone.now()
    booking = sell(clerk, show_night, CounterMethod.PAY_LATER, full=3,
                   hold_until=now + dt.timedelta(minutes=5), now=now)
    assert orders_release_expired(now=now + dt.timedelta(minutes=4)) == 0
    assert orders_release_expired(now=now + dt.timedelta(minutes=6)) == 1
    assert orders_release_expired(now=now + dt.timedelta(minutes=7)) == 0
    show_night.refresh_from_db()
    assert show_night.seats_sold == 0
    with pytest.raises(errors.BookingNotPending):
        counter.counter_collect(staff=clerk, order_id=booking.pk,
                                method=CounterMethod.CARD, now=now + dt.timedelta(minutes=8))
    assert_seats_exact(show_night)


def test_a_free_order_is_no_pay_later_booking(clerk, make_performance):
    free = make_performance(starts_at=timezone.now() + dt.timedelta(hours=5))
    with pytest.raises(errors.InvalidSale):
        counter.counter_sell(staff=clerk, sale=counter.Sale(
            performance_id=free.pk, lines=[LineRequest(free.categories.get().pk, 1)],
            method=CounterMethod.PAY_LATER,
            hold_until=timezone.now() + dt.timedelta(hours=1)))
    assert not Order.objects.exists()


def test_the_counter_never_sells_past_capacity(clerk, make_performance):
    small = make_performance(starts_at=timezone.now() + dt.timedelta(hours=5), capacity=3,
                             categories=PRICES)
    sell(clerk, small, CounterMethod.CARD, full=3)
    with pytest.raises(ticket_errors.TicketsError):
        sell(clerk, small, CounterMethod.CARD, full=1)


# ----------------------------------------------------------------------------- report
def day_of_sales(clerk, manager, show_night):
    """A cash sale with change, a card sale, a comp, a pay-later booking paid by card, one
    still held, and a cash sale refunded."""
    sell(clerk, show_night, CounterMethod.CASH, full=2, given_cents=6000)
    sell(clerk, show_night, CounterMethod.CARD, reduced=1)
    sell(manager, show_night, CounterMethod.COMP, full=1, comp_reason="artist")
    booking = sell(clerk, show_night, CounterMethod.PAY_LATER, reduced=2,
                   hold_until=timezone.now() + dt.timedelta(hours=1))
    counter.counter_collect(staff=manager, order_id=booking.pk, method=CounterMethod.CARD)
    sell(clerk, show_night, CounterMethod.PAY_LATER, full=1,
         hold_until=timezone.now() + dt.timedelta(hours=1))
    refunded = sell(manager, show_night, CounterMethod.CASH, reduced=1, given_cents=1500)
    order_cancel(order_id=refunded.pk, email=None)


def test_the_report_adds_up_to_the_database(clerk, manager, show_night):
    day_of_sales(clerk, manager, show_night)
    report = reports.end_of_day_report(first=timezone.localdate())
    figures = {(r.staff, r.method): r for r in report.rows}
    assert set(figures) == {("clerk", "cash"), ("clerk", "card"), ("boss", "comp"),
                            ("boss", "card"), ("boss", "cash")}
    assert (figures["clerk", "cash"].amount_cents, figures["clerk", "cash"].sales) == (5000, 1)
    assert figures["boss", "card"].amount_cents == 3000  # the booking, paid to the manager
    assert (figures["boss", "comp"].comps, figures["boss", "comp"].comp_value_cents) == (1, 2500)
    assert (figures["boss", "cash"].refunds, figures["boss", "cash"].refund_cents) == (1, 1500)
    assert figures["boss", "cash"].cash_expected_cents == 0
    total = report.totals["EUR"]
    paid = Order.objects.filter(counter_sale__paid_at__isnull=False)
    assert total.amount_cents == paid.aggregate(n=Sum("total_cents"))["n"] == 5000 + 1500 \
        + 3000 + 1500
    assert total.tickets == paid.aggregate(n=Sum("quantity"))["n"]
    assert total.refund_cents == Order.objects.filter(
        status=OrderStatus.CANCELLED).aggregate(n=Sum("refund_cents"))["n"]
    assert reports.cash_expected_cents(report, "EUR") == 5000
    assert total.comp_value_cents == CounterSale.objects.filter(method="comp").aggregate(
        n=Sum("list_price_cents"))["n"]
    # Another day has none of it.
    assert reports.end_of_day_report(
        first=timezone.localdate() - dt.timedelta(days=1)).rows == []


def test_the_report_as_csv(clerk, manager, show_night):
    day_of_sales(clerk, manager, show_night)
    report = reports.end_of_day_report(first=timezone.localdate() - dt.timedelta(days=2),
                                       last=timezone.localdate())
    rows = list(csv.DictReader(io.StringIO(reports.report_csv(report))))
    assert rows[-1]["staff"] == "TOTAL"
    assert rows[-1]["amount"] == "110.00" and rows[-1]["cash_expected"] == "50.00"
    assert sum(float(r["amount"]) for r in rows[:-1]) == 110.0
    clerk_cash = next(r for r in rows if r["staff"] == "clerk" and r["payment_method"] == "cash")
    assert clerk_cash["cash_expected"] == "50.00"


def test_a_walk_in_is_remembered_only_once_its_sale_is_committed(
        clerk, manager, show_night, django_capture_on_commit_callbacks, assert_seats_exact):
    # Rolled back (a comp is a transaction; more seats than are left): its walk-in never was.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(
            ticket_errors.SoldOut):
        show_night.__class__.objects.filter(pk=show_night.pk).update(seats_sold=59)
        sell(manager, show_night, CounterMethod.COMP, comp_reason="press", full=2)
    show_night.__class__.objects.filter(pk=show_night.pk).update(seats_sold=0)
    assert counter._walk_ins == {}
    assert not get_user_model().objects.filter(username__startswith="walk-in-").exists()
    # Refused before anything is written (not enough cash): nothing is, but the walk-in.
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(errors.NotEnoughCash):
        sell(clerk, show_night, CounterMethod.CASH, given_cents=1)
    assert not Order.objects.filter(performance=show_night).exists()
    assert not CounterSale.objects.exists()
    for _ in range(4):  # 3 + 3 + 3 + 3 seats: the fourth sale goes to the next walk-in
        with django_capture_on_commit_callbacks(execute=True):
            sell(clerk, show_night, CounterMethod.CARD, full=3)
    (first, first_held), (user, held), *_more = counter._walk_ins[show_night.pk]
    assert (first_held, held) == (9, 3)  # known as held, without reading them again
    assert first.username.endswith("-1") and user.username.endswith("-2")
    assert sorted(SeatHolding.objects.values_list("seats", flat=True)) == [3, 9]
    assert_seats_exact(show_night)


def test_a_category_maximum_is_no_reason_to_try_other_walk_ins(clerk, make_performance,
                                                               monkeypatch):
    limited = make_performance(starts_at=timezone.now() + dt.timedelta(hours=5), categories=[
        {"name": "Full price", "price_cents": 2500, "max_per_order": 2},
        {"name": "Reduced", "price_cents": 1500}])
    customers = []

    def reserve(**kwargs):
        customers.append(kwargs["user"].pk)
        return order_reserve(**kwargs)
    monkeypatch.setattr(counter, "order_reserve", reserve)
    with pytest.raises(ticket_errors.LimitExceeded):
        sell(clerk, limited, CounterMethod.CARD, full=3)
    assert len(customers) == 1  # tried once, not with each walk-in
    made = get_user_model().objects.filter(username__startswith="walk-in-").count()
    assert made == counter.WALK_IN_CREATE  # made at once, the first time


def test_walk_ins_are_made_ten_at_a_time_and_filled_in_order(clerk, show_night,
                                                             assert_seats_exact):
    for _ in range(12):  # 24 seats: walk-ins 1 and 2 full, 3 holds 4
        sell(clerk, show_night, CounterMethod.CARD, full=2)
    held = dict(SeatHolding.objects.filter(performance=show_night)
                .values_list("customer__username", "seats"))
    venue = show_night.venue_id
    assert held == {f"walk-in-{venue}-1": 10, f"walk-in-{venue}-2": 10,
                    f"walk-in-{venue}-3": 4}
    assert get_user_model().objects.filter(username__startswith="walk-in-").count() == 10
    assert_seats_exact(show_night)
