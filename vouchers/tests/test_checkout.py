"""Vouchers and gift cards at checkout, through the API (free orders; paid ones in
test_refunds.py against localstripe)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tickets import services
from tickets.models import Order
from vouchers.models import GiftCard, GiftCardTransaction, Voucher
from vouchers.selectors import gift_card_ledger_sum

pytestmark = [pytest.mark.django_db]

TICKETS = "/api/v1/tickets/"


@pytest.fixture
def buyer(api, bearer):
    api.credentials(**bearer("codes@example.com"))
    return api


def reserve(api, performance, quantity=1, **codes):
    return api.post(TICKETS, {"performance": performance.pk, "quantity": quantity, **codes},
                    format="json")


def test_a_free_voucher_confirms_at_once_with_the_discount_per_line(buyer, make_performance,
                                                                     make_voucher):
    performance = make_performance(price_cents=3000)
    voucher = make_voucher(kind="free", code="FREEPARTNER01", max_uses=50)
    response = reserve(buyer, performance, 2, voucher="freepartner01")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "confirmed" and body["total_cents"] == 0
    assert body["lines"][0]["discount_cents"] == 6000 and body["paid_by_gift_card_cents"] == 0
    voucher.refresh_from_db()
    assert voucher.uses == 2
    order = Order.objects.get(pk=body["id"])  # the order row records the voucher's use
    assert (order.voucher_id, order.voucher_uses, order.voucher_discount_cents) == (
        voucher.pk, 2, 6000)
    again = buyer.get(f"{TICKETS}{body['id']}/").json()
    assert again["lines"] == body["lines"] and again["paid_by_gift_card_cents"] == 0


def test_a_hidden_category_is_sold_only_with_a_code_that_reveals_it(buyer, make_performance,
                                                                    make_voucher):
    performance = make_performance(capacity=20, categories=[
        {"name": "Full", "price_cents": 0},
        {"name": "Friends", "price_cents": 0, "hidden": True, "quota": 6, "max_per_order": 4,
         "description": "Members only"}])
    full, friends = performance.categories.get(name="Full"), \
        performance.categories.get(name="Friends")
    body = {"performance": performance.pk, "lines": [{"category": friends.pk, "quantity": 1}]}
    assert buyer.post(TICKETS, body, format="json").status_code == 404
    make_voucher(code="FRIENDSONLY1", kind="percent", value=0, reveal_hidden=True,
                 categories=[friends])
    preview = buyer.get(f"/api/v1/vouchers/friendsonly1/?performance={performance.pk}")
    assert preview.status_code == 200
    assert [c["name"] for c in preview.json()["categories"]] == ["Full", "Friends"]
    # The hidden category's own limits, for the reserve form's stepper.
    assert preview.json()["categories"][1] == {
        "id": friends.pk, "name": "Friends", "description": "Members only", "price_cents": 0,
        "discount_cents": 0, "hidden": True, "max_per_order": 4, "seats_left": 6}
    response = buyer.post(TICKETS, {**body, "voucher": "FRIENDSONLY1"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["lines"][0]["category"]["name"] == "Friends"
    # Revealed and visible tariffs in one order.
    mixed = {"performance": performance.pk, "voucher": "FRIENDSONLY1",
             "lines": [{"category": full.pk, "quantity": 1},
                       {"category": friends.pk, "quantity": 2}]}
    response = buyer.post(TICKETS, mixed, format="json", HTTP_IDEMPOTENCY_KEY="mixed")
    assert response.status_code == 201, response.json()
    assert [(line["category"]["name"], line["quantity"]) for line in response.json()["lines"]] \
        == [("Full", 1), ("Friends", 2)]
    preview = buyer.get(f"/api/v1/vouchers/friendsonly1/?performance={performance.pk}")
    assert [c["seats_left"] for c in preview.json()["categories"]] == [16, 3]


def test_voucher_errors(buyer, make_performance, make_voucher, make_show):
    performance = make_performance(price_cents=1000)
    other = make_performance(price_cents=1000)
    assert reserve(buyer, performance, voucher="NOSUCHCODE99").json()["code"] == \
        "voucher_invalid"
    make_voucher(code="EXPIREDCODE1", valid_until=timezone.now() - dt.timedelta(days=1))
    assert reserve(buyer, performance, voucher="EXPIREDCODE1").json()["code"] == \
        "voucher_invalid"
    make_voucher(code="OTHERSHOW001", show=other.show)
    response = reserve(buyer, performance, voucher="OTHERSHOW001")
    assert (response.status_code, response.json()["code"]) == (409, "voucher_not_applicable")
    make_voucher(code="TWOUSESONLY1", max_uses=2)
    response = reserve(buyer, performance, 3, voucher="TWOUSESONLY1")
    assert (response.status_code, response.json()["code"]) == (409, "voucher_used_up")
    assert Order.objects.count() == 0


def test_per_order_uses_and_max_per_order(make_user, make_performance, make_voucher):
    performance = make_performance(price_cents=1000)
    voucher = make_voucher(code="ONEPERORDER1", kind="percent", value=50, uses_per="order",
                           max_per_order=2, max_uses=1)
    order = services.order_reserve(user=make_user(), performance_id=performance.pk,
                                   quantity=3, paid_at_box_office=True,
                                   codes=services.CodesRequest(voucher=voucher.code))
    assert order.total_cents == 2000 and order.lines.get().discount_cents == 1000
    voucher.refresh_from_db()
    assert voucher.uses == 1


def test_a_gift_card_pays_all_of_a_small_order_and_the_ledger_adds_up(
        buyer, make_performance, make_gift_card):
    card = make_gift_card(amount_cents=5000)
    performance = make_performance(price_cents=2000)
    response = reserve(buyer, performance, 2, gift_card=card.code.lower())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "confirmed" and body["paid_by_gift_card_cents"] == 4000
    assert len(body["tickets"]) == 2 and body["payment"] is None
    card.refresh_from_db()
    assert card.balance_cents == 1000 == gift_card_ledger_sum(gift_card_id=card.pk)
    balance = buyer.get(f"/api/v1/gift-cards/{card.code}/")
    assert balance.status_code == 200 and balance.json()["balance_cents"] == 1000
    # Cancelled: the card gets its 40.00 back, once.
    buyer.post(f"{TICKETS}{body['id']}/cancel/")
    buyer.post(f"{TICKETS}{body['id']}/cancel/")
    card.refresh_from_db()
    assert card.balance_cents == 5000 == gift_card_ledger_sum(gift_card_id=card.pk)
    assert list(GiftCardTransaction.objects.values_list("kind", "amount_cents")) == [
        ("issue", 5000), ("redeem", -4000), ("refund", 4000)]


def test_gift_card_errors(buyer, make_performance, make_gift_card):
    performance = make_performance(price_cents=2000)
    assert reserve(buyer, performance, gift_card="NOTAGIFTCARD").json()["code"] == \
        "gift_card_invalid"
    card = make_gift_card(amount_cents=1000)
    GiftCard.objects.filter(pk=card.pk).update(balance_cents=0)
    assert reserve(buyer, performance, gift_card=card.code).json()["code"] == "gift_card_empty"


def test_a_cancelled_orders_voucher_use_comes_back_once(buyer, make_performance, make_voucher):
    performance = make_performance(price_cents=1000)
    voucher = make_voucher(kind="free", code="COMESBACK001", max_uses=3)
    order = reserve(buyer, performance, 3, voucher=voucher.code).json()
    voucher.refresh_from_db()
    assert voucher.uses == 3
    assert reserve(buyer, performance, 1, voucher=voucher.code).json()["code"] == \
        "voucher_used_up"
    services.order_cancel(order_id=order["id"])
    services.order_cancel(order_id=order["id"])
    voucher.refresh_from_db()
    assert voucher.uses == 0
    released = Order.objects.get(pk=order["id"])
    assert released.voucher_released_at is not None and released.voucher_uses == 3
    assert Voucher.objects.get().orders.count() == 1


def test_the_preview_shows_the_discount(api, make_performance, make_voucher):
    performance = make_performance(price_cents=3250)
    make_voucher(code="NEWSLETTER20", kind="percent", value=20)
    body = api.get(f"/api/v1/vouchers/newsletter20/?performance={performance.pk}").json()
    assert body["categories"][0]["discount_cents"] == 650 and body["kind"] == "percent"
    missing = api.get(f"/api/v1/vouchers/NOPE00000000/?performance={performance.pk}")
    assert (missing.status_code, missing.json()["code"]) == (409, "voucher_invalid")


@pytest.mark.django_db(transaction=True)  # as in production: no test transaction around it
def test_a_returning_customers_post_with_a_voucher_takes_at_most_four_queries(
        api, bearer, make_performance, make_voucher, settings):
    from django.db import connection

    settings.EMAIL_DISPATCH = "defer"  # as on Lambda: the email is sent after the response
    from django.test.utils import CaptureQueriesContext

    api.credentials(**bearer("regular@example.com"))
    reserve(api, make_performance(price_cents=0), 1)  # first sight: the customer is created
    make_voucher(code="FASTCODE0001", kind="free")
    performance = make_performance(price_cents=1500)
    with CaptureQueriesContext(connection) as ctx:
        response = reserve(api, performance, 2, voucher="fastcode0001")
    assert response.status_code == 201, response.json()
    # Target <= 4; as many as without a voucher (tickets/tests/test_hot_path.py): the code
    # is read in the performance's query, its use taken in the reservation's statement.
    assert len(ctx.captured_queries) == 2, [q["sql"][:80] for q in ctx.captured_queries]
    assert "vouchers_voucher" in ctx.captured_queries[0]["sql"]


def test_expired_gift_cards_are_written_off_once(make_gift_card, now):
    from django.core.management import call_command

    card = make_gift_card(amount_cents=3000, expires_at=now - dt.timedelta(seconds=1))
    call_command("expire_gift_cards")
    call_command("expire_gift_cards")
    card.refresh_from_db()
    assert card.balance_cents == 0 == gift_card_ledger_sum(gift_card_id=card.pk)
    assert list(GiftCardTransaction.objects.values_list("kind", "amount_cents")) == [
        ("issue", 3000), ("expire", -3000)]


def test_a_retry_after_the_last_use_was_taken_gets_its_replay(buyer, make_performance,
                                                               make_voucher):
    performance = make_performance(price_cents=1000)
    make_voucher(code="LASTUSEONLY1", kind="free", max_uses=1)
    body = {"performance": performance.pk, "quantity": 1, "voucher": "LASTUSEONLY1"}
    first = buyer.post(TICKETS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = buyer.post(TICKETS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == first.json()["id"]
    other = buyer.post(TICKETS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert other.json()["code"] == "voucher_used_up"


def test_the_preview_and_the_balance_are_never_kept_by_the_edge(buyer, make_performance,
                                                                 make_voucher, make_gift_card):
    api = buyer
    performance = make_performance(price_cents=2000)
    make_voucher(code="EDGECACHE001", kind="percent", value=10)
    card = make_gift_card(amount_cents=1000)
    for url in (f"/api/v1/vouchers/EDGECACHE001/?performance={performance.pk}",
                f"/api/v1/gift-cards/{card.code}/"):
        response = api.get(url)
        assert response.status_code == 200, url
        assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
