"""A hot performance's seat count split over K rows (issue 20, "the one hot row";
shows/counters.py), under real parallel connections on PostgreSQL: the crowd (1.5 times
the seats) buys exactly the capacity, the last seats are taken spread over rows, releases
give back exactly what they took, and K changes while the crowd buys."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from shows.models import Performance, PerformanceCounter
from tickets import errors, holds, services
from tickets.models import Order, OrderStatus

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def buyer(user, performance_id, quantity):
    def call():
        try:
            return services.order_reserve(user=user, performance_id=performance_id,
                                          quantity=quantity).pk
        except errors.SoldOut as exc:
            return exc.code
    return call


def rows_of(performance):
    return list(PerformanceCounter.objects.filter(performance=performance)
                .order_by("slot").values_list("capacity", "sold"))


def sold_of(performance) -> int:
    return Performance.objects.get(pk=performance.pk).seats_sold_exact


def test_rows_share_the_capacity_and_a_change_of_k_conserves_what_is_sold(
        make_performance, make_user, assert_seats_exact):
    performance = make_performance(capacity=35, counter_rows=4)
    assert rows_of(performance) == [(9, 0), (9, 0), (9, 0), (8, 0)]
    for quantity in (3, 2, 2, 1):
        services.order_reserve(user=make_user(), performance_id=performance.pk,
                               quantity=quantity)
    assert_seats_exact(performance)
    assert sold_of(performance) == 8
    for k in (16, 1, 64, 5):
        performance.refresh_from_db()
        performance.counter_rows = k
        performance.save()
        assert_seats_exact(performance)
        assert sold_of(performance) == 8
    assert rows_of(performance) == [(7, 2), (7, 2), (7, 2), (7, 1), (7, 1)]
    performance.capacity = 8  # exactly what is sold: every row full
    performance.save()
    assert rows_of(performance) == [(2, 2), (2, 2), (2, 2), (1, 1), (1, 1)]
    assert_seats_exact(performance)
    with pytest.raises(errors.SoldOut):
        services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=1)


def test_the_crowd_one_and_a_half_times_the_seats_buys_exactly_the_capacity_k16(
        make_performance, bearer, in_parallel, assert_seats_exact):
    """Over HTTP, each buyer on their own connection, released at once: 48 buyers of one
    seat for 32 seats on 16 rows, five times."""
    assert connection.vendor == "postgresql"
    headers = [bearer(f"crowd{i}@example.com") for i in range(48)]

    def post(h, payload):
        def call():
            response = APIClient().post("/api/v1/tickets/", payload, format="json", **h)
            return response.status_code, response.json()
        return call

    for _ in range(5):
        performance = make_performance(capacity=32, counter_rows=16)
        payload = {"performance": performance.pk, "quantity": 1}
        results = in_parallel([post(h, payload) for h in headers])
        statuses = Counter(status for status, _ in results)
        assert statuses == {201: 32, 409: 16}, statuses
        assert {body["code"] for status, body in results if status == 409} == {"sold_out"}
        assert sold_of(performance) == 32
        assert all(sold == capacity for capacity, sold in rows_of(performance))
        assert_seats_exact(performance)


def test_mixed_quantities_oversubscribed_fill_every_row_exactly(
        make_performance, make_user, in_parallel, assert_seats_exact):
    """Buyers of 1 to 4 seats, 1.5 times the capacity between them: whatever wins, no row
    and no sum passes its capacity, and what is sold is exactly the orders held."""
    rng = random.Random(20)
    users = [make_user() for _ in range(40)]
    for k in (4, 16):
        performance = make_performance(capacity=50, counter_rows=k)
        quantities = [rng.randint(1, 4) for _ in users]
        while sum(quantities) < 75:
            quantities[rng.randrange(len(quantities))] += 1
        results = in_parallel([buyer(u, performance.pk, q) for u, q in zip(users, quantities,
                                                                          strict=True)])
        assert set(results) - {"sold_out"}, "nobody bought"
        assert_seats_exact(performance)
        bought = sum(q for r, q in zip(results, quantities, strict=True) if r != "sold_out")
        assert sold_of(performance) == bought <= 50
        # Refused only for want of seats: each refused buyer wanted more than was left.
        left = 50 - bought
        assert all(q > left for r, q in zip(results, quantities, strict=True)
                   if r == "sold_out")


def test_the_last_seats_spread_over_rows_are_sold_exactly(
        make_performance, make_user, in_parallel, assert_seats_exact):
    """Each of the 16 rows has one seat left (16 seats free, none two in a row): 24 buyers
    of two seats each need two rows at once; exactly 8 of them get their seats."""
    users = [make_user() for _ in range(24 + 16)]
    for _ in range(3):
        performance = make_performance(capacity=32, counter_rows=16)
        for user in users[24:]:
            services.order_reserve(user=user, performance_id=performance.pk, quantity=1)
        PerformanceCounter.objects.resplit(performance.pk)  # one sold in each row
        assert rows_of(performance) == [(2, 1)] * 16
        results = in_parallel([buyer(u, performance.pk, 2) for u in users[:24]])
        assert Counter(r == "sold_out" for r in results) == {False: 8, True: 16}
        assert rows_of(performance) == [(2, 2)] * 16
        assert_seats_exact(performance)


def test_releases_in_parallel_give_back_exactly_and_the_seats_sell_again_once(
        make_performance, make_user, in_parallel, assert_seats_exact, monkeypatch):
    from payments import services as payments

    monkeypatch.setattr(payments, "payment_start", lambda **kwargs: None)
    monkeypatch.setattr(payments, "payment_cancel_intent", lambda **kwargs: None)
    performance = make_performance(capacity=32, counter_rows=16, price_cents=1500,
                                   waitlist_enabled=False)
    past = timezone.now() - dt.timedelta(hours=1)
    lapsing = [services.order_reserve(user=make_user(), performance_id=performance.pk,
                                      quantity=q, now=past).pk for q in (3, 1, 2, 2)]
    paid = [services.order_reserve(user=make_user(), performance_id=performance.pk,
                                   quantity=q, paid_at_box_office=True).pk
            for q in itertools.islice(itertools.cycle((1, 2, 3)), 12)]
    assert sold_of(performance) == 8 + 24
    # Eight seats lapse and six are cancelled, each release once, twice asked for.
    cancelled = paid[:3]
    calls = [lambda o=o: holds.order_expire(order_id=o) for o in lapsing * 2]
    calls += [lambda o=o: services.order_cancel(order_id=o) for o in cancelled * 2]
    in_parallel(calls)
    assert Order.objects.filter(pk__in=lapsing, status=OrderStatus.EXPIRED).count() == 4
    assert sold_of(performance) == 32 - 8 - 6
    assert_seats_exact(performance)
    # The fourteen seats sell again to a crowd of 21 buyers of one, exactly once.
    results = in_parallel([buyer(make_user(), performance.pk, 1) for _ in range(21)])
    assert Counter(r == "sold_out" for r in results) == {False: 14, True: 7}
    assert sold_of(performance) == 32
    assert_seats_exact(performance)


def test_releases_and_buyers_in_the_same_window(make_performance, make_user, in_parallel,
                                               assert_seats_exact):
    """Cancellations while a crowd buys the last seats: never more sold than the capacity,
    and the count is the orders held, whoever won."""
    performance = make_performance(capacity=24, counter_rows=16)
    orders = [services.order_reserve(user=make_user(), performance_id=performance.pk,
                                     quantity=q).pk for q in [2] * 12]
    calls = [buyer(make_user(), performance.pk, q) for q in [1, 2, 3] * 8]
    calls += [lambda o=o: services.order_cancel(order_id=o) for o in orders[:6]]
    random.Random(7).shuffle(calls)
    in_parallel(calls)
    assert_seats_exact(performance)
    assert sold_of(performance) <= 24


def test_k_changes_while_the_crowd_buys(make_performance, make_user, in_parallel,
                                        assert_seats_exact):
    """Staff re-split the count (16 → 4 → 1 → 8 rows) while 40 buyers of one seat rush
    30 seats: nothing oversold, every seat counted is an order held, and after the rush
    the remaining seats sell to the last one."""
    performance = make_performance(capacity=30, counter_rows=16)

    def staff():
        for k in (4, 1, 8):
            found = Performance.objects.get(pk=performance.pk)
            found.counter_rows = k
            found.save()
        return "staff"

    users = [make_user() for _ in range(40)]
    results = in_parallel([staff] + [buyer(u, performance.pk, 1) for u in users])
    assert_seats_exact(performance)
    performance.refresh_from_db()
    assert performance.counter_rows == 8
    sold = sold_of(performance)
    assert sold == sum(1 for r in results[1:] if r != "sold_out") <= 30
    # A reservation refused while K changed (it saw the other form) never oversells;
    # whatever is left sells now, exactly up to the capacity.
    more = [make_user() for _ in range(30 - sold + 2)]
    late = [buyer(u, performance.pk, 1)() for u in more]
    assert [r == "sold_out" for r in late] == [False] * (30 - sold) + [True] * 2
    assert_seats_exact(performance)


def test_the_waiting_list_gets_released_seats_first_at_k4(make_performance, make_user,
                                                         assert_seats_exact):
    from tickets.waitlist import waitlist_join

    performance = make_performance(capacity=8, counter_rows=4)
    orders = [services.order_reserve(user=make_user(), performance_id=performance.pk,
                                     quantity=2).pk for _ in range(4)]
    waiting = make_user()
    waitlist_join(user=waiting, performance_id=performance.pk, seats=2)
    services.order_cancel(order_id=orders[0])  # its two seats: offered to the list
    offer = Order.objects.get(customer=waiting, performance=performance)
    assert (offer.quantity, sold_of(performance)) == (2, 8)
    assert_seats_exact(performance)
    services.order_cancel(order_id=orders[1])  # nobody waits: on general sale
    assert sold_of(performance) == 6
    services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=2)
    assert sold_of(performance) == 8
    assert_seats_exact(performance)


def test_the_steps_form_takes_and_gives_back_like_the_statement(
        make_performance, make_user, assert_seats_exact, monkeypatch):
    """The ORM steps (SQLite's `make run`) with split counters: the last seats spread over
    rows, and a release."""
    from tickets import reservation_sql

    monkeypatch.setattr(reservation_sql, "SINGLE_STATEMENT_VENDORS", set())
    performance = make_performance(capacity=8, counter_rows=4)
    for _ in range(4):
        services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=1)
    PerformanceCounter.objects.resplit(performance.pk)
    assert rows_of(performance) == [(2, 1)] * 4
    spread = services.order_reserve(user=make_user(), performance_id=performance.pk,
                                    quantity=3)
    assert sold_of(performance) == 7
    assert_seats_exact(performance)
    services.order_cancel(order_id=spread.pk)
    assert sold_of(performance) == 4
    assert_seats_exact(performance)


def test_a_cancellation_stops_split_sales_at_once(make_performance, make_user):
    """At K > 1 the sale does not write the performance row, but reads it FOR KEY SHARE:
    a sale that read "on sale" just before staff cancelled waits for the cancellation's
    lock, looks again, and sells nothing."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections, transaction

    from tickets.cancellations import performance_cancel

    performance = make_performance(capacity=32, counter_rows=16)
    buyer_user = make_user()
    locked, release = threading.Event(), threading.Event()

    def cancel():
        try:
            with transaction.atomic():
                performance_cancel(performance_id=performance.pk)
                locked.set()
                release.wait(10)
        finally:
            connections.close_all()

    def buy():
        try:
            return buyer(buyer_user, performance.pk, 2)()
        except errors.TicketsError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        cancelling = pool.submit(cancel)
        assert locked.wait(10)
        buying = pool.submit(buy)
        time.sleep(0.5)  # the buyer reads "on sale", then waits on the cancellation
        release.set()
        cancelling.result(10)
        outcome = buying.result(10)
    assert outcome in ("sales_closed", "sold_out"), outcome
    assert not Order.objects.filter(performance=performance).exists()
    assert sold_of(performance) == 0
