"""Seats released exactly as the counts are: a waiting-list offer holds freed seats, and a
late payment takes its seats again only if nobody took them meanwhile."""

from __future__ import annotations

import pytest
from django.db import transaction

from seating.tests.helpers import seat_ids
from tickets.models import Order, OrderStatus, TakenSeat, WaitlistEntry
from tickets.reservation_sql import release_seats, take_seats_again
from tickets.services import order_cancel, order_reserve
from tickets.waitlist import waitlist_join

pytestmark = [pytest.mark.django_db]


def test_freed_seats_are_offered_to_the_waiting_list(make_seated, make_user):
    performance = make_seated("A: a a\n")
    ann, bob = make_user(), make_user()
    order = order_reserve(user=ann, performance_id=performance.pk,
                          seats=seat_ids(performance, "A-1", "A-2"))
    waitlist_join(user=bob, performance_id=performance.pk, seats=2)
    order_cancel(order_id=order.pk)
    entry = WaitlistEntry.objects.get(customer=bob)
    assert entry.status == "accepted"  # free: the offer is confirmed at once
    offer = entry.offer_order
    assert sorted(offer.tickets.values_list("seat_id", flat=True)) == sorted(
        seat_ids(performance, "A-1", "A-2"))
    assert TakenSeat.objects.filter(performance=performance, active=True).count() == 2
    performance.refresh_from_db()
    assert performance.seats_sold == 2


def _expire(order: Order) -> None:
    with transaction.atomic():
        Order.objects.filter(pk=order.pk).update(status=OrderStatus.EXPIRED)
        release_seats(order=order)


def test_a_late_payment_takes_its_seats_again_only_if_free(make_seated, make_user):
    from django.utils import timezone

    performance = make_seated("A: a a a\n")
    seats = seat_ids(performance, "A-1")
    order = order_reserve(user=make_user(), performance_id=performance.pk, seats=seats)
    _expire(order)
    assert take_seats_again(order=order, now=timezone.now())
    assert TakenSeat.objects.get(order=order).active
    performance.refresh_from_db()
    assert performance.seats_sold == 1

    _expire(order)
    order_reserve(user=make_user(), performance_id=performance.pk, seats=seats)
    assert not take_seats_again(order=order, now=timezone.now())  # someone bought it
    performance.refresh_from_db()
    assert performance.seats_sold == 1
    assert not TakenSeat.objects.get(order=order).active
