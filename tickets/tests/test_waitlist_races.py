"""The waiting list under real parallel connections on PostgreSQL (localstripe for Stripe).

30 people join while 10 seats come free through parallel cancellations and lapsing holds
(two expiry jobs at once): offers follow join order exactly, no seat is offered twice,
seats never exceed capacity; then a lapsed offer moves to the next person, once.
"""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from shows.models import Performance
from tickets import services, waitlist
from tickets.models import Order, WaitlistEntry

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]




def join(user, performance):
    def call():
        try:
            waitlist.waitlist_join(user=user, performance_id=performance.pk, seats=1)
            return "joined"
        except Exception as exc:  # the outcome is what the test counts
            return type(exc).__name__
    return call


def cancel(order):
    return lambda: services.order_cancel(order_id=order.pk, user=order.customer).status




@pytest.mark.parametrize("round_", range(2))
def test_thirty_join_while_ten_seats_come_free(round_, stripe_local, make_performance,
                                              make_user, bearer, in_parallel,
                                              assert_seats_exact):
    performance = make_performance(capacity=10, price_cents=1500)
    # Ten seats sold: five paid orders (to be cancelled), five unpaid holds (to lapse).
    sold = [services.order_reserve(user=make_user(), performance_id=performance.pk,
                                   quantity=1, paid_at_box_office=True) for _ in range(5)]
    holders = [make_user() for _ in range(5)]
    for user in holders:
        services.order_reserve(user=user, performance_id=performance.pk, quantity=1)
    assert Performance.objects.get(pk=performance.pk).seats_left == 0
    joiners = [make_user() for _ in range(30)]
    for user in joiners[:12]:  # the first twelve are in line before anything comes free
        assert join(user, performance)() == "joined"
    Order.objects.filter(customer__in=holders).update(expires_at=timezone.now())

    outcomes = in_parallel([join(u, performance) for u in joiners[12:]]
                           + [cancel(o) for o in sold]
                           + [lambda: call_command("release_expired_holds")] * 2)
    assert Counter(outcomes[:18]) == {"joined": 18}
    assert outcomes[18:23] == ["cancelled"] * 5
    assert_seats_exact(performance)

    line = list(WaitlistEntry.objects.filter(performance=performance)
                .order_by("joined_at", "id"))
    assert len(line) == 30
    assert [e.status for e in line] == ["offered"] * 10 + ["waiting"] * 20  # join order
    offers = [e.offer_order for e in line[:10]]
    assert len({o.pk for o in offers}) == 10 and all(o.quantity == 1 for o in offers)
    assert all(o.status == "pending" and o.customer_id == e.customer_id
               for o, e in zip(offers, line, strict=False))
    assert Performance.objects.get(pk=performance.pk).seats_sold == 10
    assert Order.objects.filter(customer__in=holders, status="expired").count() == 5

    # One offer lapses; two expiry jobs at once move it to the next in line, once.
    Order.objects.filter(pk=offers[3].pk).update(expires_at=timezone.now())
    in_parallel([lambda: call_command("release_expired_holds")] * 2)
    line = list(WaitlistEntry.objects.filter(performance=performance)
                .order_by("joined_at", "id"))
    assert line[3].status == "lapsed"
    assert [e.status for e in line[10:12]] == ["offered", "waiting"]
    assert_seats_exact(performance)
    assert Performance.objects.get(pk=performance.pk).seats_sold == 10
