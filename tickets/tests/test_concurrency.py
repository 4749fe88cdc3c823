"""Real parallel requests on PostgreSQL, released together by a barrier.

Each thread has its own database connection; nothing is mocked. These tests fail if a
seat can be oversold, if the per-person cap can be passed by parallel requests, if a
cancel releases seats twice, or if a retried request reserves twice.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from shows.models import Performance
from tickets.models import Order, SeatHolding, Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]




def post(path, headers, payload=None, **extra):
    def call():
        response = APIClient().post(path, payload, format="json", **headers, **extra)
        return response.status_code, response.json()
    return call


def assert_consistent(performance):
    performance.refresh_from_db()
    issued = Ticket.objects.filter(order__performance=performance,
                                   order__status="confirmed").count()
    assert performance.seats_sold == issued
    held = sum(SeatHolding.objects.filter(performance=performance).values_list("seats",
                                                                               flat=True))
    assert held == issued
    return performance.seats_sold


def test_fifty_buyers_ten_seats_twenty_times(make_performance, bearer, in_parallel):
    assert connection.vendor == "postgresql"
    headers = [bearer(f"buyer{i}@example.com") for i in range(50)]
    for _ in range(20):
        performance = make_performance(capacity=10)
        payload = {"performance": performance.pk, "quantity": 1}
        results = in_parallel([post("/api/v1/tickets/", h, payload) for h in headers])
        statuses = Counter(status for status, _ in results)
        assert statuses == {201: 10, 409: 40}, statuses
        assert {body["code"] for status, body in results if status == 409} == {"sold_out"}
        assert assert_consistent(performance) == 10


def test_one_user_twenty_parallel_requests_cannot_pass_the_cap(make_performance, bearer,
                                                               in_parallel):
    headers = bearer("scalper@example.com")
    for quantity in (1, 3):
        performance = make_performance(capacity=100)
        payload = {"performance": performance.pk, "quantity": quantity}
        results = in_parallel([post("/api/v1/tickets/", headers, payload) for _ in range(20)])
        statuses = Counter(status for status, _ in results)
        assert statuses[201] == 10 // quantity and set(statuses) == {201, 409}, statuses
        assert {b["code"] for s, b in results if s == 409} == {"limit_exceeded"}
        assert assert_consistent(performance) == (10 // quantity) * quantity


def test_parallel_cancels_release_seats_once(make_performance, bearer, in_parallel):
    headers = bearer("canceller@example.com")
    performance = make_performance(capacity=10)
    other = APIClient().post("/api/v1/tickets/", {"performance": performance.pk,
                                                  "quantity": 2}, format="json",
                             **bearer("other@example.com"))
    assert other.status_code == 201
    order = APIClient().post("/api/v1/tickets/", {"performance": performance.pk,
                                                  "quantity": 5}, format="json", **headers)
    order_id = order.json()["id"]
    results = in_parallel([post(f"/api/v1/tickets/{order_id}/cancel/", headers)
                           for _ in range(20)])
    assert {status for status, _ in results} == {200}
    assert {body["status"] for _, body in results} == {"cancelled"}
    assert assert_consistent(performance) == 2


def test_parallel_duplicates_with_one_key_make_one_order(make_performance, bearer, in_parallel):
    headers = bearer("retrier@example.com")
    for attempt in range(5):
        performance = make_performance(capacity=50)
        payload = {"performance": performance.pk, "quantity": 2}
        results = in_parallel([post("/api/v1/tickets/", headers, payload,
                                    HTTP_IDEMPOTENCY_KEY=f"dup-{attempt}")
                               for _ in range(10)])
        created = [body for status, body in results if status == 201]
        others = [body for status, body in results if status != 201]
        assert all(b["code"] == "idempotency_in_progress" for b in others), others
        assert len({b["id"] for b in created}) == 1  # replays carry the same order
        assert Order.objects.filter(performance=performance).count() == 1
        assert assert_consistent(performance) == 2


def test_a_duplicate_held_past_the_lock_timeout_is_told_in_progress(make_performance, bearer):
    """Where the database role sets a lock_timeout, a duplicate that waits too long for the
    first request gets 409 idempotency_in_progress instead of waiting on."""
    from django.db import transaction

    from tickets.models import IdempotencyRecord

    headers = bearer("slow@example.com")
    performance = make_performance(capacity=10)
    first = APIClient().post("/api/v1/tickets/", {"performance": performance.pk,
                                                  "quantity": 1}, format="json", **headers)
    assert first.status_code == 201
    # Hold the performance row, as a long first request would, then send a keyed request
    # from a connection whose lock_timeout is short.
    with transaction.atomic():
        Performance.objects.select_for_update().get(pk=performance.pk)

        def duplicate():
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '200ms'")
            response = APIClient().post("/api/v1/tickets/", {"performance": performance.pk,
                                                             "quantity": 1}, format="json",
                                        HTTP_IDEMPOTENCY_KEY="held", **headers)
            connections.close_all()
            return response.status_code, response.json()

        with ThreadPoolExecutor(max_workers=1) as pool:
            status, body = pool.submit(duplicate).result(timeout=30)
    assert (status, body["code"]) == (409, "idempotency_in_progress")
    assert not IdempotencyRecord.objects.filter(key="held").exists()
    assert assert_consistent(performance) == 1
