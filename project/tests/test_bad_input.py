"""Bad input gets a clear problem response and changes nothing."""

import pytest

from tickets.models import Order

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"


def post_raw(api, bearer, body: bytes, content_type="application/json"):
    return api.generic("POST", TICKETS, body, content_type=content_type, **bearer())


@pytest.mark.parametrize("body", [
    b"\xff\xfe\x00{\x00}",                          # not UTF-8
    b'{"performance": 1, "quantity": 1',            # truncated
    b"[" * 7_000 + b"]" * 7_000,                  # nested deeper than Python recurses
    b'{"performance": NaN, "quantity": Infinity}',  # not JSON numbers
    b"",                                            # empty
])
def test_malformed_bodies_are_400(api, bearer, body):
    response = post_raw(api, bearer, body)
    assert response.status_code in (400, 422), response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    assert Order.objects.count() == 0


def test_deeply_nested_json_is_400_not_500(api, bearer):
    response = post_raw(api, bearer, b"[" * 7_000 + b"]" * 7_000)
    assert response.status_code == 400 and response.json()["code"] == "malformed"


@pytest.mark.parametrize("payload", ['{"performance": {"a": [1, {"b": 2}]}, "quantity": 1}',
                                     '{"performance": 1e400, "quantity": 1}',
                                     '{"performance": 99999999999999999999, "quantity": 1}',
                                     '{"performance": true, "quantity": 1}', '[]', '"x"'])
def test_wrong_shapes_are_422(api, bearer, payload):
    response = post_raw(api, bearer, payload.encode())
    assert response.status_code in (400, 422) and Order.objects.count() == 0


def test_unsupported_media_type(api, bearer):
    response = post_raw(api, bearer, b"performance=1&quantity=1",
                        content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_huge_headers(api, bearer, make_performance):
    assert api.get("/api/v1/me/", HTTP_AUTHORIZATION="Bearer " + "a" * 60_000).status_code \
        == 401
    response = api.post(TICKETS, {"performance": make_performance().pk, "quantity": 1},
                        format="json", HTTP_IDEMPOTENCY_KEY="k" * 60_000, **bearer())
    assert response.status_code == 422 and Order.objects.count() == 0
    assert api.get("/api/v1/shows/", HTTP_X_FORWARDED_FOR="1.2.3.4, " * 5_000).status_code \
        == 200


@pytest.mark.parametrize("slug", ["été", "ショー", "a%00b", "..%2F..%2Fetc", "😀", "a" * 500])
def test_unicode_and_odd_slugs_are_404(api, slug):
    for url in (f"/api/v1/shows/{slug}/", f"/api/v1/info/{slug}/"):
        response = api.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found"


@pytest.mark.parametrize("q", ["été", "ショー", "😀", "%", "_", "' OR 1=1 --", "\\"])
def test_unicode_and_sql_characters_in_search(api, make_performance, make_show, q):
    make_performance(show=make_show(title="Café de l'été ショー 😀 100%"))
    response = api.get("/api/v1/shows/", {"q": q})
    assert response.status_code == 200
    expected = 1 if q in ("été", "ショー", "😀", "%") else 0
    assert response.json()["count"] == expected, q
