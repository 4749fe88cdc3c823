"""A gift card bought online is refunded by a manager in the admin while untouched: the
money goes back at Stripe once (localstripe), the card is voided by a ledger row; once any
of it is spent, the refund is refused with a clear message and nothing changes."""

from __future__ import annotations

import pytest
from django.db.models import Sum
from rest_framework.test import APIClient

from payments.models import PaymentStatus, PurchasePayment
from payments.purchases import purchase_payments_send_owed_refunds
from payments.tests.stripe_helpers import setup_card, stripe_get, unregister_webhook
from vouchers import errors
from vouchers.models import GiftCard, GiftCardPurchase, GiftCardTransaction
from vouchers.services import gift_card_purchase_refund

pytestmark = [pytest.mark.django_db(transaction=True)]

ACTION = "/admin/vouchers/giftcard/"


def buy(bearer, amount_cents=4000) -> GiftCard:
    api = APIClient()
    api.credentials(**bearer("buyer@example.com"))
    purchase = api.post("/api/v1/gift-cards/", {"amount_cents": amount_cents},
                        format="json").json()
    paid = api.post(f"/api/v1/gift-cards/purchases/{purchase['id']}/pay/",
                    {"payment_method": setup_card(purchase["payment"])}, format="json")
    assert paid.json()["status"] == "paid", paid.json()
    return GiftCard.objects.get(purchase__pk=purchase["id"])


def refund_in_admin(client, card: GiftCard):
    return client.post(ACTION, {"action": "refund_purchases", "_selected_action": [card.pk]},
                       follow=True)


def stripe_refunds(card: GiftCard) -> list[int]:
    intent = PurchasePayment.objects.get(purchase__gift_card=card).intent_id
    return [r["amount"] for r in stripe_get("refunds", payment_intent=intent)["data"]]


def test_a_manager_refunds_an_untouched_card_once_and_it_is_voided(stripe_local, bearer,
                                                                   make_staff, client,
                                                                   make_performance):
    unregister_webhook()
    card = buy(bearer)
    client.force_login(make_staff("Manager"))
    page = refund_in_admin(client, card)
    assert "voided, and 40.00 EUR refunded at Stripe" in page.content.decode()
    assert stripe_refunds(card) == [4000]
    card.refresh_from_db()
    assert card.balance_cents == 0
    ledger = GiftCardTransaction.objects.filter(gift_card=card)
    assert list(ledger.values_list("kind", "amount_cents")) == [("issue", 4000),
                                                                ("void", -4000)]
    assert ledger.aggregate(s=Sum("amount_cents"))["s"] == 0
    purchase = GiftCardPurchase.objects.get(gift_card=card)
    assert purchase.status == "refunded" and purchase.refunded_at is not None
    payment = purchase.payment
    assert payment.status == PaymentStatus.REFUNDED and payment.refunded_cents == 4000
    # Again, by the admin or the job: refused, and Stripe is not asked twice.
    again = refund_in_admin(client, card).content.decode()
    assert "already refunded" in again
    assert purchase_payments_send_owed_refunds() == 0
    assert stripe_refunds(card) == [4000]
    # The voided card pays for nothing.
    buyer = APIClient()
    buyer.credentials(**bearer("buyer@example.com"))
    performance = make_performance(price_cents=1000)
    refused = buyer.post("/api/v1/tickets/", {"performance": performance.pk, "quantity": 1,
                                              "gift_card": card.code}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "gift_card_empty"


def test_a_card_partly_spent_is_not_refunded(stripe_local, bearer, make_staff, client,
                                             make_performance):
    unregister_webhook()
    card = buy(bearer)
    api = APIClient()
    api.credentials(**bearer("friend@example.com"))
    performance = make_performance(price_cents=1500)
    order = api.post("/api/v1/tickets/", {"performance": performance.pk, "quantity": 1,
                                          "gift_card": card.code}, format="json")
    assert order.status_code == 201 and order.json()["paid_by_gift_card_cents"] == 1500
    client.force_login(make_staff("Manager"))
    page = refund_in_admin(client, card).content.decode()
    assert "Part of this gift card has been spent" in page
    card.refresh_from_db()
    assert card.balance_cents == 2500
    assert GiftCardPurchase.objects.get(gift_card=card).status == "paid"
    assert PurchasePayment.objects.get(purchase__gift_card=card).status == "succeeded"
    assert stripe_refunds(card) == []
    assert not GiftCardTransaction.objects.filter(gift_card=card, kind="void").exists()


def test_only_a_role_that_refunds_may_and_a_card_given_away_has_nothing_to_refund(
        stripe_local, bearer, make_staff, client, make_gift_card):
    unregister_webhook()
    card = buy(bearer)
    client.force_login(make_staff("Box office"))
    assert refund_in_admin(client, card).status_code == 403
    assert stripe_refunds(card) == []
    client.force_login(make_staff("Manager"))
    given = make_gift_card(amount_cents=1000)
    page = refund_in_admin(client, given).content.decode()
    assert "not bought online" in page
    given.refresh_from_db()
    assert given.balance_cents == 1000


def test_stripe_not_answering_leaves_the_refund_owed_and_the_job_sends_it_once(
        stripe_local, bearer, monkeypatch):
    unregister_webhook()
    card = buy(bearer, amount_cents=2000)
    purchase = GiftCardPurchase.objects.get(gift_card=card)
    from payments import purchases

    real = purchases.call

    def down(name, *args, **kwargs):
        if name == "refunds.create":
            raise ConnectionError("Stripe is down")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(purchases, "call", down)
    refunded = gift_card_purchase_refund(purchase_id=purchase.pk)
    assert refunded.status == "refunded" and refunded.payment.status == "refund_due"
    card.refresh_from_db()
    assert card.balance_cents == 0
    monkeypatch.setattr(purchases, "call", real)
    assert purchase_payments_send_owed_refunds() == 1
    assert purchase_payments_send_owed_refunds() == 0
    assert stripe_refunds(card) == [2000]
    with pytest.raises(errors.PurchaseNotRefundable):
        gift_card_purchase_refund(purchase_id=purchase.pk)
