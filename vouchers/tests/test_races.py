"""Real parallel checkouts on PostgreSQL (own connections, released by a barrier): a
voucher gives exactly its uses, a gift card exactly its balance, and what a released
order took comes back exactly once."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from rest_framework.test import APIClient

from tickets.holds import orders_release_expired
from tickets.models import Order
from tickets.services import order_cancel
from vouchers.models import GiftCard, GiftCardTransaction, Voucher

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TICKETS = "/api/v1/tickets/"


def post(headers, payload):
    def call():
        response = APIClient().post(TICKETS, payload, format="json", **headers)
        return response.status_code, response.json()
    return call


def test_fifty_buyers_on_a_ten_use_voucher_get_exactly_ten_and_the_uses_come_back_once(
        make_performance, make_voucher, bearer, in_parallel):
    assert connection.vendor == "postgresql"
    voucher = make_voucher(code="TENUSESONLY1", kind="free", max_uses=10)
    headers = [bearer(f"rush{i}@example.com") for i in range(50)]
    for round_ in range(3):
        performance = make_performance(capacity=100, price_cents=2500)
        payload = {"performance": performance.pk, "quantity": 1, "voucher": voucher.code}
        results = in_parallel([post(h, payload) for h in headers])
        statuses = Counter(status for status, _ in results)
        assert statuses == {201: 10, 409: 40}, statuses
        assert {b["code"] for s, b in results if s == 409} == {"voucher_used_up"}
        assert all(b["total_cents"] == 0 and b["lines"][0]["discount_cents"] == 2500
                   for s, b in results if s == 201)
        voucher.refresh_from_db()
        assert voucher.uses == 10
        performance.refresh_from_db()
        assert performance.seats_sold == 10
        # Every order cancelled three times at once: each use comes back exactly once.
        orders = [b["id"] for s, b in results if s == 201]
        in_parallel([lambda o=o: order_cancel(order_id=o) for o in orders for _ in range(3)])
        voucher.refresh_from_db()
        assert voucher.uses == 0, round_
        assert not Order.objects.filter(voucher=voucher, voucher_released_at__isnull=True)
        assert Order.objects.filter(voucher=voucher, voucher_uses=1).count() == 10 * (round_ + 1)


def test_lapsed_holds_give_their_voucher_uses_back_once(stripe_local, make_performance,
                                                        make_voucher, make_user, in_parallel):
    from tickets.services import CodesRequest, order_reserve

    voucher = make_voucher(code="HALFPRICE010", kind="percent", value=50, max_uses=10)
    performance = make_performance(capacity=100, price_cents=2000)
    orders = [order_reserve(user=make_user(), performance_id=performance.pk, quantity=2,
                            codes=CodesRequest(voucher=voucher.code)) for _ in range(5)]
    assert {o.status for o in orders} == {"pending"} and {o.due_cents for o in orders} == {2000}
    voucher.refresh_from_db()
    assert voucher.uses == 10
    Order.objects.update(expires_at=timezone.now())
    in_parallel([orders_release_expired for _ in range(4)])
    assert set(Order.objects.values_list("status", flat=True)) == {"expired"}
    voucher.refresh_from_db()
    assert voucher.uses == 0


def test_thirty_parallel_checkouts_drain_one_gift_card_exactly(stripe_local, make_performance,
                                                               make_gift_card, bearer,
                                                               in_parallel):
    card = make_gift_card(amount_cents=10000)
    performance = make_performance(capacity=100, price_cents=1500)
    payload = {"performance": performance.pk, "quantity": 1, "gift_card": card.code}
    results = in_parallel([post(bearer(f"drain{i}@example.com"), payload) for i in range(30)])
    statuses = Counter(status for status, _ in results)
    assert statuses[201] == 7 and set(statuses) == {201, 409}, statuses
    assert {b["code"] for s, b in results if s == 409} == {"gift_card_empty"}
    paid = sorted(b["paid_by_gift_card_cents"] for s, b in results if s == 201)
    assert paid == [1000] + [1500] * 6 and sum(paid) == 10000
    card.refresh_from_db()
    assert card.balance_cents == 0
    ledger = GiftCardTransaction.objects.filter(gift_card=card)
    assert ledger.aggregate(s=Sum("amount_cents"))["s"] == 0
    assert -ledger.filter(kind="redeem").aggregate(s=Sum("amount_cents"))["s"] == 10000
    partial = Order.objects.get(paid_by_gift_card_cents=1000)
    assert partial.status == "pending" and partial.due_cents == 500  # paid at the payment step
    assert GiftCard.objects.filter(balance_cents__lt=0).count() == 0
    assert Voucher.objects.count() == 0
