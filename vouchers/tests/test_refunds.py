"""An order paid half by gift card and half by card, cancelled: each half goes back to
where it came from, once (localstripe; nothing of Stripe is mocked)."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from rest_framework.test import APIClient

from payments.models import Payment
from payments.tests.stripe_helpers import setup_card, stripe_get, unregister_webhook
from vouchers.models import GiftCardTransaction

pytestmark = [pytest.mark.django_db(transaction=True)]

TICKETS = "/api/v1/tickets/"


def test_half_gift_card_half_card_cancelled_gets_each_half_back_once(
        stripe_local, settings, make_performance, make_gift_card, bearer, in_parallel):
    settings.PAYMENT_RECONCILE_SECONDS = 0
    unregister_webhook()
    headers = bearer("half@example.com")
    api = APIClient()
    api.credentials(**headers)
    card = make_gift_card(amount_cents=3250)
    performance = make_performance(capacity=10, price_cents=3250)
    order = api.post(TICKETS, {"performance": performance.pk, "quantity": 2,
                               "gift_card": card.code}, format="json").json()
    assert order["status"] == "pending" and order["paid_by_gift_card_cents"] == 3250
    assert order["payment"] is None  # made at the payment step
    order = api.post(f"{TICKETS}{order['id']}/payment/").json()
    # The card is charged what the gift card does not pay, never the whole total.
    assert order["payment"]["amount_cents"] == 3250
    paid = api.post(f"{TICKETS}{order['id']}/pay/",
                    {"payment_method": setup_card(order["payment"])}, format="json").json()
    assert paid["status"] == "confirmed" and len(paid["tickets"]) == 2
    card.refresh_from_db()
    assert card.balance_cents == 0

    def cancel():
        return APIClient().post(f"{TICKETS}{order['id']}/cancel/", **headers).status_code

    assert set(in_parallel([cancel] * 5)) == {200}
    intent = Payment.objects.get(pk=order["id"]).intent_id
    refunds = stripe_get("refunds", payment_intent=intent)["data"]
    assert [r["amount"] for r in refunds] == [3250]  # the card's half, once
    card.refresh_from_db()
    assert card.balance_cents == 3250  # the gift card's half, once
    ledger = GiftCardTransaction.objects.filter(gift_card=card)
    assert list(ledger.values_list("kind", "amount_cents")) == [
        ("issue", 3250), ("redeem", -3250), ("refund", 3250)]
    assert ledger.aggregate(s=Sum("amount_cents"))["s"] == card.balance_cents
    read = api.get(f"{TICKETS}{order['id']}/").json()
    assert read["status"] == "cancelled" and read["payment"]["refunded_cents"] == 3250


def test_a_payment_after_the_hold_lapsed_is_refunded_and_takes_no_use_again(
        stripe_local, settings, make_performance, make_voucher, make_user):
    from django.utils import timezone

    from payments.models import PaymentStatus
    from tickets.holds import (
        order_payment_prepare,
        order_payment_succeeded,
        orders_release_expired,
    )
    from tickets.models import Order
    from tickets.services import CodesRequest, order_reserve

    unregister_webhook()
    voucher = make_voucher(code="LATEPAYER001", kind="percent", value=50, max_uses=2)
    performance = make_performance(capacity=10, price_cents=2000)
    order = order_reserve(user=make_user(), performance_id=performance.pk, quantity=2,
                          codes=CodesRequest(voucher=voucher.code))
    order_payment_prepare(user=order.customer, order_id=order.pk)
    payment = Payment.objects.get(pk=order.pk)
    assert payment.amount_cents == 2000
    Order.objects.filter(pk=order.pk).update(expires_at=timezone.now())
    orders_release_expired()
    voucher.refresh_from_db()
    assert voucher.uses == 0
    # The customer's card went through at Stripe anyway (the intent could not be cancelled
    # in time): the seats are not taken again with a use that was given back; refunded.
    Payment.objects.filter(pk=order.pk).update(status=PaymentStatus.SUCCEEDED)
    order_payment_succeeded(order_id=order.pk)
    order.refresh_from_db()
    payment.refresh_from_db()
    voucher.refresh_from_db()
    assert order.status == "expired" and voucher.uses == 0
    assert payment.status in ("refund_due", "refunding", "refunded")


@pytest.mark.parametrize(("fee_fixed", "card_back", "gift_back"), [
    (1000, 2250, 3250),  # the fee is kept from the card's part
    (4000, 0, 2500),     # more than the card's part: the rest from the gift card's
])
def test_a_cancellation_fee_is_kept_from_the_card_first_then_the_gift_card(
        stripe_local, settings, make_performance, make_gift_card, bearer,
        fee_fixed, card_back, gift_back):
    from shows.models import RefundPolicy

    settings.PAYMENT_RECONCILE_SECONDS = 0
    unregister_webhook()
    headers = bearer(f"fee{fee_fixed}@example.com")
    api = APIClient()
    api.credentials(**headers)
    card = make_gift_card(amount_cents=3250)
    performance = make_performance(capacity=10, price_cents=3250)
    performance.refund_policy = RefundPolicy.objects.create(
        name=f"fee {fee_fixed}", customer_may_cancel=True, hours_before=0,
        fee_fixed_cents=fee_fixed)
    performance.save(update_fields=["refund_policy"])
    order = api.post(TICKETS, {"performance": performance.pk, "quantity": 2,
                               "gift_card": card.code}, format="json").json()
    order = api.post(f"{TICKETS}{order['id']}/payment/").json()
    assert order["payment"]["amount_cents"] == 3250
    paid = api.post(f"{TICKETS}{order['id']}/pay/",
                    {"payment_method": setup_card(order["payment"])}, format="json").json()
    assert paid["status"] == "confirmed"

    cancelled = api.post(f"{TICKETS}{order['id']}/cancel/").json()
    assert cancelled["status"] == "cancelled"
    assert (cancelled["fee_cents"], cancelled["refund_cents"]) == (fee_fixed, 6500 - fee_fixed)
    intent = Payment.objects.get(pk=order["id"]).intent_id
    refunds = stripe_get("refunds", payment_intent=intent)["data"]
    assert sum(r["amount"] for r in refunds) == card_back
    card.refresh_from_db()
    assert card.balance_cents == gift_back
    assert card_back + gift_back == 6500 - fee_fixed


def test_a_cancelled_performance_gives_the_gift_card_part_back_too(
        make_performance, make_gift_card, make_user):
    from tickets.cancellations import cancellations_work, performance_cancel
    from tickets.services import CodesRequest, order_reserve

    card = make_gift_card(amount_cents=5000)
    performance = make_performance(capacity=10, price_cents=2000)
    order = order_reserve(user=make_user(), performance_id=performance.pk, quantity=2,
                          codes=CodesRequest(gift_card=card.code))
    assert order.status == "confirmed" and order.paid_by_gift_card_cents == 4000
    card.refresh_from_db()
    assert card.balance_cents == 1000
    performance_cancel(performance_id=performance.pk)
    cancellations_work()
    order.refresh_from_db()
    card.refresh_from_db()
    assert order.status == "cancelled" and order.refund_cents == 4000
    assert card.balance_cents == 5000
