import datetime as dt

import pytest

from shows.models import Performance
from tickets import errors, services
from tickets.models import Order, SeatHolding, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["one statement", "steps"])
def writer(request, monkeypatch):
    """Every service test runs through both writers of reservation_sql: the single
    statement (PostgreSQL) and the portable steps (SQLite, `make run`)."""
    from tickets import reservation_sql

    if request.param == "steps":
        monkeypatch.setattr(reservation_sql, "SINGLE_STATEMENT_VENDORS", set())
    return request.param


def seats_sold(performance):
    return Performance.objects.get(pk=performance.pk).seats_sold


def test_reserve_sells_seats_and_issues_one_ticket_per_seat(make_performance, make_user):
    performance = make_performance(capacity=10, price_cents=1250, currency="GBP")
    order = services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=3,
                                   paid_at_box_office=True)
    assert (order.status, order.quantity, order.total_cents, order.currency) == (
        "confirmed", 3, 3750, "GBP")
    codes = list(order.tickets.values_list("code", flat=True))
    assert len(codes) == len(set(codes)) == 3 and all(len(c) == 16 for c in codes)
    assert seats_sold(performance) == 3


def test_sold_out_reports_seats_left_and_writes_nothing(make_performance, make_user):
    performance = make_performance(capacity=4)
    services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=3)
    with pytest.raises(errors.SoldOut) as raised:
        services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=2)
    assert raised.value.extra == {"seats_left": 1}
    assert seats_sold(performance) == 3 and Order.objects.count() == 1


def test_per_person_cap_over_several_orders(make_performance, make_user):
    performance = make_performance()
    user = make_user()
    for quantity in (4, 6):
        services.order_reserve(user=user, performance_id=performance.pk, quantity=quantity)
    with pytest.raises(errors.LimitExceeded):
        services.order_reserve(user=user, performance_id=performance.pk, quantity=1)
    other = make_performance()  # the cap is per performance
    services.order_reserve(user=user, performance_id=other.pk, quantity=1)
    assert seats_sold(performance) == 10


@pytest.mark.parametrize("quantity", [0, -1, 11])
def test_quantity_out_of_range(make_performance, make_user, quantity):
    with pytest.raises(errors.InvalidQuantity):
        services.order_reserve(user=make_user(), performance_id=make_performance().pk,
                               quantity=quantity)


def test_sales_closed(make_performance, make_show, make_user, now):
    started = make_performance(starts_at=now - dt.timedelta(minutes=1))
    cancelled = make_performance(cancelled=True)
    hidden = make_performance(show=make_show(published=False))
    for performance in (started, cancelled, hidden):
        with pytest.raises(errors.SalesClosed):
            services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=1)
    with pytest.raises(errors.PerformanceNotFound):
        services.order_reserve(user=make_user(), performance_id=987654, quantity=1)


def test_clock_is_injectable(make_performance, make_user):
    performance = make_performance()
    later = performance.starts_at + dt.timedelta(seconds=1)
    with pytest.raises(errors.SalesClosed):
        services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=1,
                               now=later)


def test_cancel_releases_seats_exactly_once(make_performance, make_user):
    performance = make_performance(capacity=10)
    user = make_user()
    order = services.order_reserve(user=user, performance_id=performance.pk, quantity=4)
    cancelled = services.order_cancel(user=user, order_id=order.pk)
    assert cancelled.status == "cancelled" and cancelled.cancelled_at is not None
    again = services.order_cancel(user=user, order_id=order.pk)
    assert again.status == "cancelled" and again.cancelled_at == cancelled.cancelled_at
    assert seats_sold(performance) == 0
    assert SeatHolding.objects.get(customer=user, performance=performance).seats == 0
    assert Ticket.objects.filter(order=order).count() == 4  # kept, but no longer valid


def test_cancel_frees_the_per_person_cap(make_performance, make_user):
    performance = make_performance()
    user = make_user()
    order = services.order_reserve(user=user, performance_id=performance.pk, quantity=10)
    services.order_cancel(user=user, order_id=order.pk)
    services.order_reserve(user=user, performance_id=performance.pk, quantity=10)


def test_cancel_after_start_and_someone_elses_order(make_performance, make_user):
    performance = make_performance()
    user = make_user()
    order = services.order_reserve(user=user, performance_id=performance.pk, quantity=1)
    with pytest.raises(errors.OrderNotFound):
        services.order_cancel(user=make_user(), order_id=order.pk)
    with pytest.raises(errors.SalesClosed):
        services.order_cancel(user=user, order_id=order.pk,
                              now=performance.starts_at + dt.timedelta(minutes=1))
    assert seats_sold(performance) == 1


def test_check_in_once(make_performance, make_user):
    order = services.order_reserve(user=make_user(), performance_id=make_performance().pk,
                                   quantity=1)
    code = order.tickets.get().code
    assert services.ticket_check_in(code=code.lower()).checked_in_at is not None
    with pytest.raises(errors.AlreadyCheckedIn):
        services.ticket_check_in(code=code)
    with pytest.raises(errors.TicketNotFound):
        services.ticket_check_in(code="NOPE")


def render(order, tickets):
    return 201, {"id": str(order.id), "codes": [t.code for t in tickets]}


def keyed(key, fingerprint="f1"):
    return services.Idempotency(key=key, fingerprint=fingerprint, render=render)


def test_idempotent_retry_replays_even_after_the_last_seats(make_performance, make_user):
    from tickets.idempotency import Replay

    performance = make_performance(capacity=2)
    user = make_user()
    order = services.order_reserve(user=user, performance_id=performance.pk, quantity=2,
                                   idempotency=keyed("k"))
    with pytest.raises(Replay) as replay:
        services.order_reserve(user=user, performance_id=performance.pk, quantity=2,
                               idempotency=keyed("k"))
    assert replay.value.body["id"] == str(order.id)
    assert set(replay.value.body["codes"]) == set(order.tickets.values_list("code", flat=True))
    with pytest.raises(errors.IdempotencyKeyReused):
        services.order_reserve(user=user, performance_id=performance.pk, quantity=2,
                               idempotency=keyed("k", fingerprint="other"))
    assert Order.objects.count() == 1 and seats_sold(performance) == 2
