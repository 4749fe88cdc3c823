"""On-sale and off-sale times (issue 21), with a controlled clock: requests in the last
100 ms before `on_sale_at` are refused with when sales open; the first ones after it
succeed — in the early checks and in the reservation statement itself."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tickets import errors, services
from tickets.models import Order

pytestmark = pytest.mark.django_db

MS = dt.timedelta(milliseconds=1)


@pytest.fixture
def announced(make_performance):
    on_sale = (timezone.now() + dt.timedelta(days=1)).replace(microsecond=0)
    return make_performance(on_sale_at=on_sale, capacity=50)


def keyed(n: int) -> services.Idempotency:
    """With a key the early checks are skipped: the statement alone decides."""
    return services.Idempotency(key=f"k{n}", fingerprint="f", render=lambda o, t: (201, {}))


@pytest.mark.parametrize("early_checks", [True, False], ids=["early checks", "statement"])
def test_the_last_100_ms_before_on_sale_are_refused_the_first_after_succeed(
        announced, make_user, early_checks):
    on_sale = announced.on_sale_at
    for n, before in enumerate([100, 50, 10, 1]):
        with pytest.raises(errors.SalesNotOpen) as refused:
            services.order_reserve(user=make_user(), performance_id=announced.pk,
                                   quantity=1, now=on_sale - before * MS,
                                   idempotency=None if early_checks else keyed(n))
        assert refused.value.extra["on_sale_at"] == on_sale.isoformat().replace("+00:00",
                                                                                 "Z")
    assert Order.objects.count() == 0
    for n, after in enumerate([0, 1, 10]):
        services.order_reserve(user=make_user(), performance_id=announced.pk, quantity=1,
                               now=on_sale + after * MS,
                               idempotency=None if early_checks else keyed(10 + n))
    assert Order.objects.count() == 3


def test_sales_end_before_the_start_when_set(make_performance, make_user):
    performance = make_performance()
    end = performance.starts_at - dt.timedelta(hours=2)
    performance.sales_end_at = end
    performance.save()
    services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=1,
                           now=end - MS)
    with pytest.raises(errors.SalesClosed):
        services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=1,
                               now=end)
    with pytest.raises(errors.SalesClosed):  # the statement too
        services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=1,
                               now=end, idempotency=keyed(1))


def test_the_public_api_says_when_sales_open(api, announced, bearer):
    body = api.get(f"/api/v1/performances/{announced.pk}/").json()
    assert body["status"] == "not_yet_on_sale"
    assert body["on_sale_at"] == announced.on_sale_at.isoformat().replace("+00:00", "Z")
    refused = api.post("/api/v1/tickets/", {"performance": announced.pk, "quantity": 1},
                       format="json", **bearer())
    assert refused.status_code == 409 and refused.json()["code"] == "sales_not_open"
    assert refused.json()["on_sale_at"] == body["on_sale_at"]
