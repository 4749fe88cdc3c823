import pytest

from shows.models import Performance
from tickets.models import IdempotencyRecord, Order

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


@pytest.fixture
def performance(make_performance):
    return make_performance(capacity=20, price_cents=0)  # free: confirmed at once


def reserve(api, headers, performance, quantity=2, **extra):
    return api.post(TICKETS, {"performance": performance.pk, "quantity": quantity},
                    format="json", **headers, **extra)


def test_reserve_returns_the_order(api, bearer, performance):
    response = reserve(api, bearer(), performance)
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"id", "status", "performance", "quantity", "lines", "seats",
                         "total_cents", "paid_by_gift_card_cents",
                         "currency", "created_at", "expires_at", "refund_cents", "fee_cents",
                         "tickets", "payment"}
    category = performance.categories.get()
    assert body["lines"] == [{"category": {"id": category.pk, "name": "Full price"},
                              "quantity": 2, "unit_price_cents": 0,
                              "discount_cents": 0}]
    assert {t["category"]["name"] for t in body["tickets"]} == {"Full price"}
    assert (body["status"], body["quantity"], body["total_cents"]) == ("confirmed", 2, 0)
    assert body["payment"] is None and body["expires_at"] is None
    assert body["performance"]["id"] == performance.pk
    assert body["performance"]["show"]["slug"] == performance.show.slug
    assert len(body["tickets"]) == 2 and body["tickets"][0]["checked_in_at"] is None
    assert Performance.objects.get(pk=performance.pk).seats_sold == 2


def test_anonymous_gets_401_with_www_authenticate(api, performance):
    for response in (reserve(api, {}, performance), api.get(TICKETS), api.get("/api/v1/me/")):
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert response.json()["code"] == "not_authenticated"


def test_me(api, bearer):
    body = api.get("/api/v1/me/", **bearer("zoe@example.com")).json()
    assert body["email"] == "zoe@example.com" and len(body["sub"]) == 36


@pytest.mark.parametrize(("payload", "field"), [
    ({"performance": 1}, "quantity"), ({"performance": 1, "quantity": 11}, "quantity"),
    ({"performance": 1, "quantity": 0}, "quantity"), ({"quantity": 1}, "performance"),
    ({"performance": "x", "quantity": 1}, "performance"),
    ({"performance": 1, "quantity": "2.5"}, "quantity"),
])
def test_invalid_values_are_422_with_field_errors(api, bearer, payload, field):
    response = api.post(TICKETS, payload, format="json", **bearer())
    assert response.status_code == 422
    assert field in response.json()["errors"]
    assert Order.objects.count() == 0


def test_malformed_json_is_400(api, bearer):
    response = api.post(TICKETS, data='{"performance": 1,', content_type="application/json",
                        **bearer())
    assert response.status_code == 400 and response.json()["code"] == "malformed"


def test_conflicts_are_409_problems(api, bearer, make_performance):
    small = make_performance(capacity=1)
    body = reserve(api, bearer(), small, quantity=2).json()
    assert (body["status"], body["code"], body["seats_left"]) == (409, "sold_out", 1)
    cancelled = make_performance(cancelled=True)
    assert reserve(api, bearer(), cancelled, quantity=1).json()["code"] == "sales_closed"
    assert reserve(api, bearer(), make_performance(), quantity=10).status_code == 201
    big = make_performance()
    reserve(api, bearer("cap@example.com"), big, quantity=10)
    assert reserve(api, bearer("cap@example.com"), big, quantity=1).json()["code"] \
        == "limit_exceeded"


def test_list_detail_and_owner_only(api, bearer, performance):
    first = reserve(api, bearer(), performance, quantity=1).json()
    second = reserve(api, bearer(), performance, quantity=2).json()
    listing = api.get(TICKETS, **bearer()).json()
    assert [o["id"] for o in listing["results"]] == [second["id"], first["id"]]
    assert api.get(f"{TICKETS}{first['id']}/", **bearer()).json() == first
    stranger = bearer("mallory@example.com")
    assert api.get(TICKETS, **stranger).json()["count"] == 0
    for url in (f"{TICKETS}{first['id']}/", f"{TICKETS}{first['id']}/tickets/"
                f"{first['tickets'][0]['code']}/qr.svg"):
        response = api.get(url, **stranger)
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert api.post(f"{TICKETS}{first['id']}/cancel/", **stranger).status_code == 404
    assert Order.objects.get(pk=first["id"]).status == "confirmed"


def test_cancel(api, bearer, performance):
    order = reserve(api, bearer(), performance, quantity=3).json()
    response = api.post(f"{TICKETS}{order['id']}/cancel/", **bearer())
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    again = api.post(f"{TICKETS}{order['id']}/cancel/", **bearer())
    assert again.status_code == 200 and again.json() == response.json()
    assert Performance.objects.get(pk=performance.pk).seats_sold == 0


def test_qr_code_svg(api, bearer, performance):
    order = reserve(api, bearer(), performance, quantity=1).json()
    code = order["tickets"][0]["code"]
    response = api.get(f"{TICKETS}{order['id']}/tickets/{code}/qr.svg", **bearer())
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") and code.encode() in response.content
    assert b'xmlns="http://www.w3.org/2000/svg"' in response.content  # standalone image


def test_unknown_order_id_is_404(api, bearer):
    assert api.get(f"{TICKETS}00000000-0000-0000-0000-000000000000/", **bearer()) \
        .status_code == 404
    assert api.get(f"{TICKETS}not-a-uuid/", **bearer()).json()["code"] == "not_found"


class TestIdempotency:
    def test_replay_returns_the_first_response_and_reserves_nothing_more(
            self, api, bearer, performance):
        key = {"HTTP_IDEMPOTENCY_KEY": "order-2026-11-25-abc"}
        first = reserve(api, bearer(), performance, **key)
        replay = reserve(api, bearer(), performance, **key)
        assert first.status_code == replay.status_code == 201
        assert replay.json() == first.json()
        assert replay["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first
        assert Order.objects.count() == 1
        assert Performance.objects.get(pk=performance.pk).seats_sold == 2

    def test_replay_works_even_when_the_first_took_the_last_seats(self, api, bearer,
                                                                  make_performance):
        performance = make_performance(capacity=2)
        key = {"HTTP_IDEMPOTENCY_KEY": "last-seats"}
        first = reserve(api, bearer(), performance, **key)
        replay = reserve(api, bearer(), performance, **key)
        assert replay.status_code == 201 and replay.json() == first.json()

    def test_same_key_different_body_is_422(self, api, bearer, performance):
        key = {"HTTP_IDEMPOTENCY_KEY": "k1"}
        reserve(api, bearer(), performance, quantity=1, **key)
        response = reserve(api, bearer(), performance, quantity=2, **key)
        assert response.status_code == 422
        assert response.json()["code"] == "idempotency_key_reused"
        assert Order.objects.count() == 1

    def test_keys_are_per_user(self, api, bearer, performance):
        key = {"HTTP_IDEMPOTENCY_KEY": "shared"}
        assert reserve(api, bearer("a@example.com"), performance, **key).status_code == 201
        other = reserve(api, bearer("b@example.com"), performance, **key)
        assert other.status_code == 201 and "Idempotent-Replayed" not in other
        assert Order.objects.count() == 2

    def test_a_failed_request_is_not_stored(self, api, bearer, make_performance):
        performance = make_performance(capacity=1)
        key = {"HTTP_IDEMPOTENCY_KEY": "too-many"}
        assert reserve(api, bearer(), performance, quantity=2, **key).status_code == 409
        assert IdempotencyRecord.objects.count() == 0

    def test_a_key_does_not_open_sales_of_an_unpublished_show(self, api, bearer,
                                                              make_performance, make_show):
        hidden = make_performance(show=make_show(published=False))
        response = reserve(api, bearer(), hidden, HTTP_IDEMPOTENCY_KEY="hidden")
        assert response.status_code == 409 and response.json()["code"] == "sales_closed"
        assert Order.objects.count() == 0 and IdempotencyRecord.objects.count() == 0
        assert Performance.objects.get(pk=hidden.pk).seats_sold == 0

    @pytest.mark.parametrize("value", ["", "x" * 256, "with space", "tab\there", "é"])
    def test_invalid_keys_are_422(self, api, bearer, performance, value):
        response = reserve(api, bearer(), performance, HTTP_IDEMPOTENCY_KEY=value)
        assert response.status_code == 422 and Order.objects.count() == 0

    def test_purge_removes_keys_older_than_a_day(self, api, bearer, performance):
        import datetime as dt

        from django.core.management import call_command
        from django.utils import timezone

        reserve(api, bearer(), performance, HTTP_IDEMPOTENCY_KEY="old")
        reserve(api, bearer(), performance, HTTP_IDEMPOTENCY_KEY="new", quantity=1)
        IdempotencyRecord.objects.filter(key="old").update(
            created_at=timezone.now() - dt.timedelta(hours=25))
        call_command("purge_idempotency_keys")
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
