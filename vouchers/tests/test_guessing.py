"""Guessing codes: the preview, the balance and failed codes at checkout are throttled per
address and per customer with the exact throttle; a valid code is refused meanwhile."""

from __future__ import annotations

from collections import Counter

import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.redis]

TICKETS = "/api/v1/tickets/"


def test_a_thousand_wrong_codes_from_one_address(api, redis_cache, rates, make_performance,
                                                 make_voucher, caplog):
    rates(codes_address="25/hour", codes_user="10/hour")
    performance = make_performance(price_cents=1000)
    make_voucher(code="REALCODE2024")
    statuses, retry_after = Counter(), set()
    for i in range(1000):
        response = api.get(f"/api/v1/vouchers/GUESS{i:07d}/?performance={performance.pk}")
        statuses[response.status_code] += 1
        if response.status_code == 429:
            retry_after.add(int(response["Retry-After"]))
    assert statuses == {409: 25, 429: 975}, statuses
    assert retry_after and max(retry_after) <= 3600
    valid = api.get(f"/api/v1/vouchers/REALCODE2024/?performance={performance.pk}")
    assert valid.status_code == 429 and valid["Retry-After"]
    # Another address is not affected.
    other = api.get(f"/api/v1/vouchers/REALCODE2024/?performance={performance.pk}",
                    REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 200
    assert sum("failed code" in r.getMessage() for r in caplog.records) == 25


def test_failed_codes_at_checkout_count_per_customer_on_any_address(
        api, bearer, redis_cache, rates, make_performance, make_voucher, make_gift_card):
    rates(codes_address="1000/hour", codes_user="5/hour")
    api.credentials(**bearer("guesser@example.com"))
    performance = make_performance(price_cents=0)
    make_voucher(code="REALCODE2025", kind="free")
    answers = [api.post(TICKETS, {"performance": performance.pk, "quantity": 1,
                                  "voucher": f"WRONG{i:05d}"}, format="json",
                        REMOTE_ADDR=f"10.0.0.{i}")
               for i in range(8)]
    assert [a.status_code for a in answers] == [409] * 5 + [429] * 3
    assert answers[-1]["Retry-After"]
    valid = api.post(TICKETS, {"performance": performance.pk, "quantity": 1,
                               "voucher": "REALCODE2025"}, format="json")
    assert valid.status_code == 429
    card = make_gift_card()
    assert api.get(f"/api/v1/gift-cards/{card.code}/").status_code == 429


def test_a_good_code_at_checkout_costs_nothing(api, bearer, redis_cache, rates,
                                              make_performance, make_voucher):
    rates(codes_address="2/hour", codes_user="2/hour")
    api.credentials(**bearer("honest@example.com"))
    make_voucher(code="GOODCODE0001", kind="free")
    for _ in range(4):
        performance = make_performance(price_cents=1000)
        response = api.post(TICKETS, {"performance": performance.pk, "quantity": 1,
                                      "voucher": "goodcode0001"}, format="json")
        assert response.status_code == 201, response.json()
