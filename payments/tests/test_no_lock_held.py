"""Stripe is never called while this process holds a database lock or a transaction.

A probe wraps the one function that calls Stripe (it calls through to localstripe) and,
at each call, asks PostgreSQL which locks this connection holds. A lock held across a
network call to Stripe would serialise every buyer of a performance behind it.
"""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from payments import stripe_api
from tickets.models import Order

from .stripe_helpers import setup_card, unregister_webhook

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lock_probe(monkeypatch):
    seen = []
    real_call = stripe_api.call

    def probed(operation, *args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT locktype, mode FROM pg_locks WHERE pid = pg_backend_pid() "
                           "AND locktype NOT IN ('virtualxid') AND NOT (locktype = 'relation' "
                           "AND relation = 'pg_locks'::regclass)")
            locks = cursor.fetchall()
        seen.append((operation, connection.in_atomic_block, locks))
        return real_call(operation, *args, **kwargs)

    monkeypatch.setattr(stripe_api, "call", probed)
    for module in ("payments.services",):
        monkeypatch.setattr(f"{module}.call", probed)
    return seen


def test_reserve_pay_and_cancel_call_stripe_with_no_lock_held(stripe_local, make_performance,
                                                              bearer, lock_probe):
    unregister_webhook()
    performance = make_performance(capacity=5, price_cents=1800)
    api = APIClient()
    headers = bearer("nolock@example.com")
    order = api.post("/api/v1/tickets/", {"performance": performance.pk, "quantity": 2},
                     format="json", **headers).json()
    order = api.post(f"/api/v1/tickets/{order['id']}/payment/", **headers).json()
    api.post(f"/api/v1/tickets/{order['id']}/pay/",
             {"payment_method": setup_card(order["payment"])}, format="json", **headers)
    assert Order.objects.get(pk=order["id"]).status == "confirmed"
    api.post(f"/api/v1/tickets/{order['id']}/cancel/", **headers)
    operations = [operation for operation, _, _ in lock_probe]
    assert operations == ["customers.create", "payment_intents.create",
                          "setup_intents.create", "payment_intents.update",
                          "payment_intents.confirm", "refunds.create"]
    for operation, in_transaction, locks in lock_probe:
        assert not in_transaction, operation
        assert locks == [], (operation, locks)
