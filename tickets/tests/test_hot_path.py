"""The reservation's hot path in round trips (issue 14): a returning customer's
`POST /api/v1/tickets/` is the reservation statement and at most one read (free), plus the
payment reference's write (paid); the throttles are one Redis round trip (project/tests/
test_throttling.py). Counted, never timed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _emails_as_on_lambda(settings):
    """Production hands an order's email to another invocation (no query here)."""
    settings.EMAIL_DISPATCH = "defer"

TICKETS = "/api/v1/tickets/"


def post_queries(api, headers, performance) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = api.post(TICKETS, {"performance": performance.pk, "quantity": 1},
                            format="json", **headers)
    assert response.status_code == 201, response.content
    return len(ctx.captured_queries), [q["sql"][:60] for q in ctx.captured_queries]


def test_a_returning_customer_reserves_a_free_seat_in_two_queries(make_performance, bearer):
    api, headers = APIClient(), bearer("regular@example.com")
    first, second = make_performance(), make_performance()
    post_queries(api, headers, first)  # first sight: the customer is created
    count, sql = post_queries(api, headers, second)
    assert count <= 2, sql
    body = api.get(TICKETS, **headers).json()["results"]
    assert {len(o["tickets"]) for o in body} == {1}  # rendered from memory, and right


def test_a_returning_customer_holds_a_paid_seat_in_three_queries(stripe_local, bearer,
                                                                 make_performance):
    api, headers = APIClient(), bearer("payer@example.com")
    first = make_performance(price_cents=1500)
    second = make_performance(price_cents=1500)
    post_queries(api, headers, first)  # first sight, first Stripe customer
    count, sql = post_queries(api, headers, second)
    assert count <= 3, sql
