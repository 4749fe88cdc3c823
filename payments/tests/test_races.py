"""Holds, expiry and late payments racing on PostgreSQL, with real parallel connections.

Buyers are threads with their own connections; the expiry jobs are separate processes
(`manage.py release_expired_holds`) that cannot reach Stripe — the outage that lets a
payment arrive after its hold was released. Nothing is mocked; localstripe is Stripe.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from payments.models import Payment, PaymentStatus
from tickets.models import Order, SeatHolding

from .stripe_helpers import setup_card, signed, stripe_get, stripe_post, unregister_webhook

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

TICKETS = "/api/v1/tickets/"
ROOT = Path(__file__).resolve().parents[2]




def reserve(headers, performance):
    def call():
        response = APIClient().post(TICKETS, {"performance": performance.pk, "quantity": 1},
                                    format="json", **headers)
        return response.status_code, response.json()
    return call


def prepare(headers, order):
    response = APIClient().post(f"{TICKETS}{order['id']}/payment/", **headers)
    assert response.status_code == 200, response.content
    return response.json()


def expiry_job_without_stripe():
    """A separate process running the per-minute job while Stripe is unreachable."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings.test",
           "TEST_DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/"
                                f"{connection.settings_dict['NAME']}",
           "STRIPE_API_BASE": "http://127.0.0.1:9", "STRIPE_SECRET_KEY": "sk_test_outage"}
    return subprocess.Popen([sys.executable, "manage.py", "release_expired_holds"], cwd=ROOT,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def deliver(event):
    def call():
        payload, signature = event
        return APIClient().post("/api/v1/payments/stripe/webhook/", data=payload,
                                content_type="application/json",
                                HTTP_STRIPE_SIGNATURE=signature).status_code
    return call




@pytest.mark.parametrize("round_", range(3))
def test_fifty_buyers_ten_seats_holds_expire_while_late_payments_arrive(
        round_, stripe_local, settings, make_performance, bearer, in_parallel,
        assert_seats_exact):
    unregister_webhook()
    performance = make_performance(capacity=10, price_cents=1000)
    first = [bearer(f"r{round_}-first{i}@example.com") for i in range(50)]
    answers = in_parallel([reserve(h, performance) for h in first])
    assert Counter(status for status, _ in answers) == {201: 10, 409: 40}
    holds = [body for status, body in answers if status == 201]
    holders = [h for h, (status, _) in zip(first, answers, strict=True) if status == 201]
    assert_seats_exact(performance)

    # Half of the holders pay at Stripe; their webhooks are late. Every hold lapses.
    late = []
    for i, order in enumerate(holds[:5]):
        order = prepare(holders[i], order)  # the payment step, as the SPA calls it
        payment = Payment.objects.get(pk=order["id"])
        stripe_post(f"payment_intents/{payment.intent_id}",
                    payment_method=setup_card(order["payment"]))
        late.append(signed("payment_intent.succeeded",
                           stripe_post(f"payment_intents/{payment.intent_id}/confirm")))
    Order.objects.filter(performance=performance).update(expires_at=timezone.now())

    # Two expiry jobs (Stripe unreachable for them), the late webhooks, and 40 more buyers
    # wanting the released seats. Round 0: all at once; round 1: the jobs end the holds,
    # then late payments race the buyers; round 2: buyers take the seats before the late
    # payments arrive (every one of them must be refunded).
    second = [reserve(bearer(f"r{round_}-second{i}@example.com"), performance)
              for i in range(40)]
    webhooks = [deliver(event) for event in late]
    jobs = [expiry_job_without_stripe(), expiry_job_without_stripe()]
    if round_ == 0:
        in_parallel(webhooks + second)
    for job in jobs:
        output = job.communicate(timeout=60)[0].decode()
        assert job.returncode == 0, output
    assert_seats_exact(performance)
    if round_ == 1:
        in_parallel(webhooks + second)
    elif round_ == 2:
        in_parallel(second)
        in_parallel(webhooks)
    assert_seats_exact(performance)

    # Stripe is back: the next run sends every refund owed.
    call_command("release_expired_holds")
    assert_seats_exact(performance)
    for order in holds[:5]:
        row = Order.objects.get(pk=order["id"])
        payment = Payment.objects.get(pk=order["id"])
        refunds = stripe_get("refunds", payment_intent=payment.intent_id)["data"]
        if row.status == "confirmed":  # the late payment got its seat back
            assert refunds == [] and row.tickets.count() == 1
        else:  # no seat for it: refunded, once
            assert row.status == "expired" and not row.tickets.exists()
            assert payment.status == PaymentStatus.REFUNDED
            assert [r["amount"] for r in refunds] == [1000]
    if round_ == 2:
        assert set(Order.objects.filter(pk__in=[o["id"] for o in holds]).values_list(
            "status", flat=True)) == {"expired"}
    for order in holds[5:]:  # unpaid: expired exactly once, never confirmed
        assert Order.objects.get(pk=order["id"]).status == "expired"


def test_two_expiry_runs_in_parallel_release_each_hold_once(stripe_local, make_performance,
                                                          bearer, in_parallel):
    unregister_webhook()
    performance = make_performance(capacity=30, price_cents=500)
    buyers = [bearer(f"lapse{i}@example.com") for i in range(10)]
    answers = in_parallel([reserve(h, performance) for h in buyers])
    assert [status for status, _ in answers] == [201] * 10
    for headers, (_, order) in zip(buyers, answers, strict=True):
        prepare(headers, order)
    Order.objects.update(expires_at=timezone.now())
    released = in_parallel([lambda: call_command("release_expired_holds")] * 2)
    assert released == [None, None]
    performance.refresh_from_db()
    assert performance.seats_sold == 0  # released once each: never below zero
    assert set(Order.objects.values_list("status", flat=True)) == {"expired"}
    assert set(SeatHolding.objects.values_list("seats", flat=True)) == {0}
    assert Payment.objects.count() == 10
    for payment in Payment.objects.all():
        assert stripe_get(f"payment_intents/{payment.intent_id}")["status"] == "canceled"
        assert payment.status == PaymentStatus.CANCELED
