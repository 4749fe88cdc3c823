"""The payment step that finishes after its hold ended (issue 20): the PaymentIntent it made
could never be paid, so it is cancelled at Stripe (localstripe) and the customer is told
clearly (409 hold_expired); the seats are released once."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from payments import services as payments
from payments.models import Payment
from tickets.models import Order, SeatHolding

from .stripe_helpers import stripe_get
from .test_checkout import checkout  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True)]


def _ending_during_the_step(monkeypatch, *, job: bool) -> None:
    """Stripe answers only after the hold's end: `job`, the per-minute job ended it
    before its intent existed; else it lapsed while we waited."""
    start = payments.payment_start

    def slow(*, order_id, **kwargs):
        Order.objects.filter(pk=order_id).update(expires_at=timezone.now())
        if job:
            call_command("release_expired_holds")
            assert Order.objects.get(pk=order_id).status == "expired"
        return start(order_id=order_id, **kwargs)

    monkeypatch.setattr(payments, "payment_start", slow)


@pytest.mark.parametrize("job", [True, False], ids=["expired by the job", "lapsed meanwhile"])
def test_a_payment_step_ending_after_the_hold_cancels_its_intent(checkout, monkeypatch,  # noqa: F811
                                                                  job):
    reserved = checkout.reserve(quantity=2)
    assert reserved.status_code == 201
    order = reserved.json()
    _ending_during_the_step(monkeypatch, job=job)
    answer = checkout.prepare(order)
    assert answer.status_code == 409, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "hold_expired"
    intent = Payment.objects.get(pk=order["id"]).intent_id
    assert stripe_get(f"payment_intents/{intent}")["status"] == "canceled"
    assert Order.objects.get(pk=order["id"]).status == "expired"
    assert checkout.seats_sold() == 0 and SeatHolding.objects.get().seats == 0
    again = checkout.prepare(order)  # a retry: the same clear answer, nothing more made
    assert (again.status_code, again.json()["code"]) == (409, "hold_expired")
    assert checkout.seats_sold() == 0


def test_a_payment_step_inside_the_hold_is_unchanged(checkout):  # noqa: F811
    order = checkout.hold()
    assert order["payment"]["client_secret"]
    assert Order.objects.get(pk=order["id"]).status == "pending"
    assert checkout.seats_sold() == 2
