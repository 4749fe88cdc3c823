"""Refund rules (issue 21) on localstripe: customers cancel until the deadline, less the
fee; the refund made at Stripe is exactly `refund_cents`; staff always refund in full."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework.test import APIClient

from payments.models import Payment
from payments.tests.stripe_helpers import stripe_get
from shows.models import RefundPolicy
from tickets import errors, services
from tickets.models import Order
from tickets.refunds import cancellation_fee

from .paid import paid_order

pytestmark = pytest.mark.django_db(transaction=True)

CANCEL = "/api/v1/tickets/{}/cancel/"


@pytest.fixture
def policy():
    return RefundPolicy.objects.create(name="48 h, €2 + 10 %", hours_before=48,
                                       fee_fixed_cents=200, fee_percent=Decimal("10"))


def refunds_at_stripe(order):
    intent = Payment.objects.get(pk=order.pk).intent_id
    return [r["amount"] for r in stripe_get("refunds", payment_intent=intent)["data"]]


@pytest.mark.parametrize(("total", "fixed", "percent", "fee"), [
    (6500, 200, "10", 850), (1001, 0, "12.5", 125), (100, 0, "2.5", 3),  # halves up
    (300, 500, "0", 300),  # never more than the total
    (0, 200, "10", 0)])
def test_the_fee_is_fixed_plus_percent_rounded_half_up_capped_at_the_total(
        total, fixed, percent, fee):
    policy = RefundPolicy(name="p", fee_fixed_cents=fixed, fee_percent=Decimal(percent))
    assert cancellation_fee(policy, total) == fee


def test_before_the_deadline_the_customer_gets_the_total_less_the_fee(
        stripe_local, make_performance, make_user, bearer, policy):
    performance = make_performance(price_cents=3250, refund_policy=policy)
    headers = bearer("payer@example.com")
    api = APIClient()
    api.get("/api/v1/me/", **headers)  # the customer's account
    customer = get_user_model().objects.get(email="payer@example.com")
    order = paid_order(customer, performance, quantity=2)
    response = api.post(CANCEL.format(order.pk), **headers)
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["refund_cents"], body["fee_cents"]) == ("cancelled", 5650, 850)
    assert refunds_at_stripe(order) == [5650]
    assert Payment.objects.get(pk=order.pk).refunded_cents == 5650


def test_after_the_deadline_the_customer_cannot_cancel_and_nothing_changes(
        stripe_local, make_performance, make_user, policy):
    performance = make_performance(price_cents=3250, refund_policy=policy,
                                   starts_at=timezone.now() + dt.timedelta(hours=47))
    customer = make_user()
    order = paid_order(customer, performance, quantity=1)
    with pytest.raises(errors.CancellationClosed):
        services.order_cancel(order_id=order.pk, user=customer)
    assert Order.objects.get(pk=order.pk).status == "confirmed"
    assert refunds_at_stripe(order) == []
    # Staff can always cancel, with a full refund.
    cancelled = services.order_cancel(order_id=order.pk)
    assert (cancelled.refund_cents, cancelled.fee_cents) == (3250, 0)
    assert refunds_at_stripe(order) == [3250]


def test_a_show_that_allows_no_cancellation_and_a_performance_override(
        stripe_local, make_performance, make_show, make_user, policy):
    never = RefundPolicy.objects.create(name="No refunds", customer_may_cancel=False)
    show = make_show(refund_policy=never)
    strict = make_performance(show=show, price_cents=1000)
    lenient = make_performance(show=show, price_cents=1000, refund_policy=policy)
    customer = make_user()
    order = paid_order(customer, strict)
    with pytest.raises(errors.CancellationClosed):
        services.order_cancel(order_id=order.pk, user=customer)
    other = paid_order(customer, lenient)
    assert services.order_cancel(order_id=other.pk, user=customer).refund_cents == 700


def test_the_api_refuses_after_the_deadline_with_a_clear_problem(
        make_performance, bearer, policy):
    performance = make_performance(refund_policy=policy,
                                   starts_at=timezone.now() + dt.timedelta(hours=10))
    headers = bearer("late@example.com")
    api = APIClient()
    order = api.post("/api/v1/tickets/", {"performance": performance.pk, "quantity": 1},
                     format="json", **headers).json()
    refused = api.post(CANCEL.format(order["id"]), **headers)
    assert refused.status_code == 409
    assert refused.json()["code"] == "cancellation_closed"
    assert refused.json()["cancel_until"]
