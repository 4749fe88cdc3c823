"""A gift card bought online (localstripe): paid by card, issued once, its code emailed to
the recipient with the buyer's message, then good for part of an order."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from rest_framework.test import APIClient

from payments.tests.stripe_helpers import setup_card, unregister_webhook
from vouchers.models import GiftCard, GiftCardPurchase
from vouchers.services import gift_card_purchase_paid

pytestmark = [pytest.mark.django_db(transaction=True)]


def test_buy_a_gift_card_receive_its_code_and_use_it_for_part_of_an_order(
        stripe_local, make_performance, bearer):
    unregister_webhook()
    api = APIClient()
    api.credentials(**bearer("giver@example.com"))
    bought = api.post("/api/v1/gift-cards/", {"amount_cents": 2500,
                                              "recipient_email": "friend@example.com",
                                              "message": "Happy birthday!"}, format="json")
    assert bought.status_code == 201, bought.json()
    purchase = bought.json()
    assert purchase["status"] == "pending" and purchase["payment"]["amount_cents"] == 2500
    paid = api.post(f"/api/v1/gift-cards/purchases/{purchase['id']}/pay/",
                    {"payment_method": setup_card(purchase["payment"])}, format="json")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    assert paid.json()["payment"]["client_secret"] is None
    # The webhook arriving too issues nothing more.
    assert gift_card_purchase_paid(purchase_id=purchase["id"]) is False
    assert GiftCard.objects.count() == 1
    [email] = mail.outbox
    assert email.to == ["friend@example.com"] and "Happy birthday!" in email.body
    code = re.search(r"Code: (\w+)", email.body).group(1)
    assert GiftCard.objects.get().code == code
    assert GiftCardPurchase.objects.get().gift_card.balance_cents == 2500

    friend = APIClient()
    friend.credentials(**bearer("friend@example.com"))
    performance = make_performance(price_cents=2000)
    order = friend.post("/api/v1/tickets/", {"performance": performance.pk, "quantity": 2,
                                             "gift_card": code.lower()}, format="json").json()
    assert order["paid_by_gift_card_cents"] == 2500
    order = friend.post(f"/api/v1/tickets/{order['id']}/payment/").json()
    assert order["payment"]["amount_cents"] == 1500  # what the gift card does not pay
    done = friend.post(f"/api/v1/tickets/{order['id']}/pay/",
                       {"payment_method": setup_card(order["payment"])}, format="json").json()
    assert done["status"] == "confirmed" and len(done["tickets"]) == 2
    assert friend.get(f"/api/v1/gift-cards/{code}/").json()["balance_cents"] == 0


def test_amounts_out_of_range_are_refused(api, bearer):
    api.credentials(**bearer())
    response = api.post("/api/v1/gift-cards/", {"amount_cents": 100}, format="json")
    assert response.status_code == 422


def test_the_webhook_issues_a_purchase_paid_at_stripe_once(stripe_local, bearer):
    from payments.models import PurchasePayment
    from payments.tests.stripe_helpers import stripe_post
    from payments.webhooks import webhook_process

    unregister_webhook()
    api = APIClient()
    api.credentials(**bearer("self@example.com"))
    purchase = api.post("/api/v1/gift-cards/", {"amount_cents": 5000}, format="json").json()
    intent = PurchasePayment.objects.get(pk=purchase["id"]).intent_id
    stripe_post(f"payment_intents/{intent}", payment_method=setup_card(purchase["payment"]))
    stripe_post(f"payment_intents/{intent}/confirm")  # the browser's answer never came back
    event = {"id": "evt_gift_1", "type": "payment_intent.succeeded",
             "data": {"object": {"id": intent}}}
    assert webhook_process(event=event) is True
    assert webhook_process(event=event) is False  # redelivered
    read = api.get(f"/api/v1/gift-cards/purchases/{purchase['id']}/").json()
    assert read["status"] == "paid" and read["payment"]["client_secret"] is None
    [email] = mail.outbox
    assert email.to == ["self@example.com"]
    assert GiftCard.objects.get().balance_cents == 5000


@pytest.mark.django_db
def test_the_gift_card_email_is_in_the_buyers_language(make_user, mailoutbox):
    import datetime as dt

    from languages.models import CustomerLanguage
    from notifications.giftcards import gift_card_email_send

    buyer = make_user()
    CustomerLanguage.objects.create(customer=buyer, language="fr")
    expires = dt.datetime(2029, 12, 5, 12, tzinfo=dt.UTC)
    assert gift_card_email_send(to="ami@example.com", code="ABCD1234EFGH", amount_cents=2500,
                                currency="EUR", expires_at=expires, from_name="lea@example.com",
                                customer_id=buyer.pk)
    [mail] = mailoutbox
    assert mail.subject.startswith("Votre carte cadeau : 25,00")
    assert "lea@example.com vous offre une carte cadeau." in mail.body
    assert "Code : ABCD1234EFGH" in mail.body and "décembre 2029" in mail.body
