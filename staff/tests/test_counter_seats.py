"""A counter sale of a seated performance: seats ticked on the counter page's grid of free
seats, or quantities for the best available seats; a seat taken meanwhile is refused and
nothing is written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from seating.models import Seat
from staff import counter, selectors
from staff.models import CounterMethod, CounterSale
from tickets import errors as ticket_errors
from tickets.lines import LineRequest
from tickets.models import Order, TakenSeat, Ticket
from tickets.services import order_reserve

pytestmark = pytest.mark.django_db

HOUSE = """
A: s s s s
B: s s c c
"""
ZONES = {"s": ("Stalls", 2500), "c": ("Cheap", 1000)}


@pytest.fixture
def seated(make_seated):
    return make_seated(HOUSE, zones=ZONES, starts_at=timezone.now() + dt.timedelta(hours=5))


def seat(performance, row, number):
    return Seat.objects.get(layout=performance.layout, row=row, number=str(number)).pk


def test_the_grid_lists_the_free_seats_row_by_row(seated, make_user):
    order_reserve(user=make_user(), performance_id=seated.pk, seats=[seat(seated, "A", 2)],
                  paid_at_box_office=True)
    rows = selectors.counter_free_seats(performance_id=seated.pk)
    assert [(r.row, [s.number for s in r.seats]) for r in rows] == [
        ("A", ["1", "3", "4"]), ("B", ["1", "2", "3", "4"])]
    cheap = seated.categories.get(name="Cheap").pk
    assert [s.category_id == cheap for s in rows[1].seats] == [False, False, True, True]
    assert rows[0].seats[0].label == "Stalls, row A, seat 1"


def test_an_unseated_performance_has_no_grid(make_performance):
    assert selectors.counter_free_seats(performance_id=make_performance().pk) is None


def test_a_cash_sale_of_the_seats_chosen(clerk, seated, assert_seats_exact):
    chosen = [seat(seated, "B", 3), seat(seated, "A", 1)]
    record = counter.counter_sell(staff=clerk, sale=counter.Sale(
        performance_id=seated.pk, lines=[], seats=chosen, method=CounterMethod.CASH,
        given_cents=5000))
    order = record.order
    assert (order.total_cents, record.change_cents) == (3500, 1500)
    assert set(Ticket.objects.filter(order=order).values_list("seat_id", flat=True)) == set(chosen)
    assert set(TakenSeat.objects.filter(order=order, active=True)
               .values_list("seat_id", flat=True)) == set(chosen)
    assert CounterSale.objects.get(pk=order.pk).amount_cents == 3500
    assert_seats_exact(seated)


def test_quantities_alone_sell_the_best_available_seats(clerk, seated, assert_seats_exact):
    stalls = seated.categories.get(name="Stalls").pk
    record = counter.counter_sell(staff=clerk, sale=counter.Sale(
        performance_id=seated.pk, lines=[LineRequest(stalls, 2)], best_available=True,
        method=CounterMethod.CARD))
    seats = list(Ticket.objects.filter(order=record.order).values_list("seat__row", flat=True))
    assert len(seats) == 2 and set(seats) <= {"A", "B"}
    assert TakenSeat.objects.filter(order=record.order, active=True).count() == 2
    assert_seats_exact(seated)


def test_a_seat_taken_meanwhile_is_refused_and_nothing_written(clerk, seated, make_user):
    taken = seat(seated, "A", 4)
    order_reserve(user=make_user(), performance_id=seated.pk, seats=[taken],
                  paid_at_box_office=True)
    with pytest.raises(ticket_errors.SeatTaken):
        counter.counter_sell(staff=clerk, sale=counter.Sale(
            performance_id=seated.pk, lines=[], seats=[seat(seated, "A", 3), taken],
            method=CounterMethod.CARD))
    assert not CounterSale.objects.exists()
    assert Order.objects.count() == 1


def test_the_counter_page_sells_the_seats_ticked(clerk, seated):
    client = Client()
    client.force_login(clerk)
    url = reverse("admin:staff_counter_sell", args=[seated.pk])
    page = client.get(url).content.decode()
    assert 'id="seat-grid"' in page and 'aria-label="Stalls, row A, seat 1 (Stalls' in page
    chosen = [seat(seated, "B", 4), seat(seated, "B", 3)]
    response = client.post(url, {"method": "cash", "given": "20", "seat": chosen})
    assert response.status_code == 302
    record = CounterSale.objects.get()
    assert set(record.order.tickets.values_list("seat_id", flat=True)) == set(chosen)
    assert f'value="{chosen[0]}"' not in client.get(url).content.decode()  # no longer free
    stalls = seated.categories.get(name="Stalls").pk
    both = client.post(url, {"method": "cash", "given": "50", f"qty-{stalls}": "1",
                             "seat": [seat(seated, "A", 1)]})
    assert both.status_code == 422 and "not both" in both.content.decode()
    junk = client.post(url, {"method": "cash", "given": "50", "seat": ["x"]})
    assert junk.status_code == 422
    taken = client.post(url, {"method": "card", "seat": [chosen[0]]})
    assert taken.status_code == 409
    assert CounterSale.objects.count() == 1
