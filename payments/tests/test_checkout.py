"""The checkout end to end against a real localstripe server: hold → card → paid → tickets.

Nothing of Stripe is mocked: the suite starts localstripe (conftest.py), the card is set
up as stripe.js does it, 3-D Secure is passed or failed at localstripe, and its signed
webhooks reach a live server.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from rest_framework.test import APIClient

from payments.models import Payment, PaymentStatus, WebhookEvent
from shows.models import Performance
from tickets import errors, services
from tickets.models import Order, SeatHolding, Ticket

from .stripe_helpers import (
    CHARGE_DECLINED,
    DECLINED,
    THREE_D_SECURE,
    CardError,
    authenticate,
    register_webhook,
    setup_card,
    signed,
    stripe_count,
    stripe_get,
    stripe_post,
    unregister_webhook,
)

pytestmark = [pytest.mark.django_db(transaction=True)]

TICKETS = "/api/v1/tickets/"
WEBHOOK = "/api/v1/payments/stripe/webhook/"


@pytest.fixture
def checkout(stripe_local, settings, make_performance, bearer):
    """A paid performance, a signed-in customer and their API client."""
    settings.PAYMENT_RECONCILE_SECONDS = 0
    unregister_webhook()
    client = APIClient()
    client.credentials(**{"HTTP_AUTHORIZATION": bearer("payer@example.com")[
        "HTTP_AUTHORIZATION"]})

    class Checkout:
        api = client
        performance = make_performance(capacity=10, price_cents=3250, currency="EUR")

        def reserve(self, quantity=2, **extra):
            return self.api.post(TICKETS, {"performance": self.performance.pk,
                                           "quantity": quantity}, format="json", **extra)

        def prepare(self, order):
            """The payment step (the SPA calls it as it shows the card form)."""
            return self.api.post(f"{TICKETS}{order['id']}/payment/", format="json")

        def hold(self, quantity=2):
            """A hold that reached the payment step: the order with its payment."""
            response = self.reserve(quantity=quantity)
            assert response.status_code == 201, response.content
            prepared = self.prepare(response.json())
            assert prepared.status_code == 200, prepared.content
            return prepared.json()

        def pay(self, order, pm):
            return self.api.post(f"{TICKETS}{order['id']}/pay/", {"payment_method": pm},
                                 format="json")

        def read(self, order):
            return self.api.get(f"{TICKETS}{order['id']}/").json()

        def seats_sold(self):
            return Performance.objects.get(pk=self.performance.pk).seats_sold

    return Checkout()


@pytest.fixture
def webhooks(live_server):
    """localstripe delivers its signed events to a live Marquee server."""
    register_webhook(f"{live_server.url}{WEBHOOK}")
    yield
    unregister_webhook()


def wait_for(predicate, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def post_event(payload, signature, client=None):
    return (client or APIClient()).post(WEBHOOK, data=payload, content_type="application/json",
                                        HTTP_STRIPE_SIGNATURE=signature)


def test_a_paid_reservation_is_a_hold_and_the_payment_step_makes_its_payment(
        checkout, settings, stripe_local):
    before = stripe_count("payment_intents"), stripe_count("setup_intents")
    response = checkout.reserve(quantity=3)
    assert response.status_code == 201, response.content
    order = response.json()
    assert (order["status"], order["total_cents"], order["tickets"]) == ("pending", 9750, [])
    assert order["payment"] is None  # answered from the database alone
    assert (stripe_count("payment_intents"), stripe_count("setup_intents")) == before
    expires = dt.datetime.fromisoformat(order["expires_at"])
    assert dt.timedelta(minutes=9) < expires - timezone.now() <= dt.timedelta(minutes=10)
    assert checkout.seats_sold() == 3  # held seats count as sold

    prepared = checkout.prepare(order)
    assert prepared.status_code == 200, prepared.content
    payment = prepared.json()["payment"]
    assert payment["status"] == "requires_payment_method"
    assert payment["client_secret"].startswith("pi_")
    assert payment["setup_client_secret"].startswith("seti_")
    assert payment["publishable_key"] == settings.STRIPE_PUBLISHABLE_KEY
    assert payment["js_url"] == settings.STRIPE_JS_URL
    intent = stripe_get(f"payment_intents/{payment['client_secret'].split('_secret_')[0]}")
    assert (intent["amount"], intent["currency"]) == (9750, "eur")
    assert intent["metadata"] == {"order_id": order["id"]}
    # A reload, a retry: the same payment, no second Stripe object.
    again = checkout.prepare(order).json()["payment"]
    assert again["client_secret"] == payment["client_secret"]
    assert (stripe_count("payment_intents"), stripe_count("setup_intents")) == (
        before[0] + 1, before[1] + 1)
    assert prepared.json()["expires_at"] == order["expires_at"]  # nobody waited


def test_a_reservation_never_paid_creates_no_stripe_object(checkout, make_user):
    before = {kind: stripe_count(kind) for kind in ("customers", "payment_intents",
                                                     "setup_intents")}
    order = checkout.reserve().json()
    assert order["status"] == "pending"
    assert checkout.read(order)["payment"] is None  # reading it does not make one either
    Order.objects.filter(pk=order["id"]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    call_command("release_expired_holds")
    assert Order.objects.get(pk=order["id"]).status == "expired"
    assert {kind: stripe_count(kind) for kind in before} == before
    assert not Payment.objects.exists()


def test_two_payment_steps_in_parallel_make_one_payment(checkout, in_parallel):
    order = checkout.reserve().json()
    client = checkout.api
    answers = in_parallel([lambda: client.post(f"{TICKETS}{order['id']}/payment/")] * 4)
    secrets = {a.json()["payment"]["client_secret"] for a in answers}
    assert [a.status_code for a in answers] == [200] * 4 and len(secrets) == 1
    assert Payment.objects.count() == 1


def test_paying_without_the_payment_step_makes_the_payment_first(checkout):
    order = checkout.reserve().json()
    prepared = checkout.prepare(order).json()
    Payment.objects.all().delete()  # as if the SPA had skipped the step
    pm = setup_card(prepared["payment"])
    paid = checkout.pay(order, pm)
    assert paid.status_code == 200, paid.content
    assert Payment.objects.filter(order_id=order["id"]).exists()


def test_pay_then_the_webhook_confirms_once(checkout, webhooks):
    order = checkout.hold()
    response = checkout.pay(order, setup_card(order["payment"]))
    assert response.status_code == 200, response.content
    paid = response.json()
    assert paid["status"] == "confirmed" and len(paid["tickets"]) == 2
    assert paid["payment"]["status"] == "succeeded"
    assert paid["payment"]["client_secret"] is None  # no longer needed by the browser
    # localstripe's signed payment_intent.succeeded arrives: recorded, changes nothing.
    wait_for(lambda: WebhookEvent.objects.filter(type="payment_intent.succeeded").exists())
    assert Ticket.objects.filter(order_id=order["id"]).count() == 2
    assert checkout.seats_sold() == 2


def test_three_d_secure_passed_is_confirmed_by_the_webhook(checkout, webhooks):
    order = checkout.hold()
    paying = checkout.pay(order, setup_card(order["payment"], THREE_D_SECURE)).json()
    assert (paying["status"], paying["payment"]["status"]) == ("pending", "requires_action")
    authenticate(paying["payment"], success=True)
    # Nobody reads the order: only the webhook can confirm it.
    wait_for(lambda: Order.objects.get(pk=order["id"]).status == "confirmed")
    assert Ticket.objects.filter(order_id=order["id"]).count() == 2
    assert Payment.objects.get(pk=order["id"]).status == PaymentStatus.SUCCEEDED


def test_three_d_secure_failed_keeps_the_hold_for_another_card(checkout):
    order = checkout.hold()
    paying = checkout.pay(order, setup_card(order["payment"], THREE_D_SECURE)).json()
    authenticate(paying["payment"], success=False)
    failed = checkout.read(order)  # reconciles with Stripe
    assert failed["status"] == "pending"
    assert failed["payment"]["status"] == "requires_payment_method"
    assert "authentication" in failed["payment"]["last_error"]
    # Stripe does not confirm a succeeded SetupIntent again: the next card gets a new one.
    assert failed["payment"]["setup_client_secret"] != order["payment"]["setup_client_secret"]
    retried = checkout.pay(order, setup_card(failed["payment"])).json()
    assert retried["status"] == "confirmed" and len(retried["tickets"]) == 2
    assert checkout.seats_sold() == 2


def test_declined_card_then_a_good_one_on_the_same_hold(checkout):
    order = checkout.hold()
    with pytest.raises(CardError, match="declined"):
        setup_card(order["payment"], DECLINED)  # the browser shows Stripe's message
    response = checkout.pay(order, setup_card(order["payment"], CHARGE_DECLINED))
    assert response.status_code == 402
    assert response.json()["code"] == "card_declined"
    held = checkout.read(order)
    assert held["status"] == "pending" and held["payment"]["last_error"]
    assert held["payment"]["setup_client_secret"] != order["payment"]["setup_client_secret"]
    assert checkout.seats_sold() == 2
    # localstripe cannot confirm an intent again after a failed charge; a new hold can.
    again = checkout.hold()
    confirmed = checkout.pay(again, setup_card(again["payment"])).json()
    assert confirmed["status"] == "confirmed"


def test_declined_at_setup_then_good_card_confirms_the_same_order(checkout):
    order = checkout.hold()
    with pytest.raises(CardError):
        setup_card(order["payment"], DECLINED)
    confirmed = checkout.pay(order, setup_card(order["payment"])).json()
    assert (confirmed["id"], confirmed["status"]) == (order["id"], "confirmed")


def test_the_same_event_five_times_in_parallel_confirms_once(checkout):
    order = checkout.hold()
    payment = Payment.objects.get(pk=order["id"])
    pm = setup_card(order["payment"])
    stripe_post(f"payment_intents/{payment.intent_id}", payment_method=pm)
    intent = stripe_post(f"payment_intents/{payment.intent_id}/confirm")
    assert intent["status"] == "succeeded"
    payload, signature = signed("payment_intent.succeeded", intent)
    barrier = threading.Barrier(5)

    def deliver(_):
        try:
            barrier.wait(timeout=10)
            return post_event(payload, signature).json()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(deliver, range(5)))
    assert sorted(a["duplicate"] for a in answers) == [False, True, True, True, True]
    assert Order.objects.get(pk=order["id"]).status == "confirmed"
    assert Ticket.objects.filter(order_id=order["id"]).count() == 2
    assert WebhookEvent.objects.count() == 1 and checkout.seats_sold() == 2


@pytest.mark.parametrize("forgery", ["wrong secret", "stale", "tampered", "no header"])
def test_forged_or_stale_signature_is_400_and_changes_nothing(checkout, forgery):
    order = checkout.hold()
    intent = {"id": Payment.objects.get(pk=order["id"]).intent_id, "object": "payment_intent",
              "status": "succeeded"}
    payload, signature = signed(
        "payment_intent.succeeded", intent,
        secret="whsec_forged" if forgery == "wrong secret" else None,
        timestamp=int(time.time()) - 3600 if forgery == "stale" else None)
    if forgery == "tampered":
        payload = payload.replace(b'"succeeded"', b'"succeeded" ')
    response = post_event(payload, "" if forgery == "no header" else signature)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    assert Order.objects.get(pk=order["id"]).status == "pending"
    assert not WebhookEvent.objects.exists() and not Ticket.objects.exists()


def test_unknown_event_types_are_acknowledged_and_ignored(checkout):
    payload, signature = signed("customer.created", {"id": "cus_123", "object": "customer"})
    response = post_event(payload, signature)
    assert response.status_code == 200 and response.json()["duplicate"] is False


def test_stripe_unreachable_keeps_the_hold_and_the_payment_step_is_retried(checkout,
                                                                           settings):
    base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens there
    settings.STRIPE_MAX_WAIT_SECONDS = 0
    response = checkout.reserve(HTTP_IDEMPOTENCY_KEY="first-try")
    assert response.status_code == 201  # the hold never waits on Stripe
    order = response.json()
    failed = checkout.prepare(order)
    assert failed.status_code == 503 and failed["Retry-After"] == "5"
    assert failed.json()["code"] == "payment_unavailable"
    assert "still held" in failed.json()["detail"]
    assert checkout.seats_sold() == 2 and not Payment.objects.exists()
    settings.STRIPE_API_BASE = base
    # The retry may wait for the budget the failed attempt's retries spent (it was 0 s).
    settings.STRIPE_MAX_WAIT_SECONDS = 20
    assert checkout.prepare(order).json()["payment"]["client_secret"].startswith("pi_")


def test_an_idempotent_replay_returns_the_same_order_and_payment(checkout):
    first = checkout.reserve(HTTP_IDEMPOTENCY_KEY="k-1")
    again = checkout.reserve(HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    prepared = checkout.prepare(first.json()).json()
    replayed = checkout.reserve(HTTP_IDEMPOTENCY_KEY="k-1").json()
    assert replayed["payment"] == prepared["payment"]  # completed with the payment made since
    assert Order.objects.count() == 1 and checkout.seats_sold() == 2


def test_a_lost_webhook_is_made_good_by_reading_the_order(checkout):
    order = checkout.hold()
    paying = checkout.pay(order, setup_card(order["payment"], THREE_D_SECURE)).json()
    authenticate(paying["payment"], success=True)  # its webhook goes nowhere
    assert Order.objects.get(pk=order["id"]).status == "pending"
    read = checkout.read(order)
    assert read["status"] == "confirmed" and len(read["tickets"]) == 2


def test_a_lost_webhook_is_made_good_by_the_expiry_job(checkout):
    order = checkout.hold()
    paying = checkout.pay(order, setup_card(order["payment"], THREE_D_SECURE)).json()
    authenticate(paying["payment"], success=True)
    Order.objects.filter(pk=order["id"]).update(expires_at=timezone.now())
    call_command("release_expired_holds")
    assert Order.objects.get(pk=order["id"]).status == "confirmed"  # paid: not expired
    assert checkout.seats_sold() == 2


def test_expiry_releases_the_hold_once_and_cancels_the_intent(checkout):
    order = checkout.hold()
    Order.objects.filter(pk=order["id"]).update(expires_at=timezone.now())
    call_command("release_expired_holds")
    call_command("release_expired_holds")
    assert Order.objects.get(pk=order["id"]).status == "expired"
    assert checkout.seats_sold() == 0 and SeatHolding.objects.get().seats == 0
    intent = Payment.objects.get(pk=order["id"]).intent_id
    assert stripe_get(f"payment_intents/{intent}")["status"] == "canceled"
    read = checkout.read(order)
    assert read["status"] == "expired" and read["payment"]["client_secret"] is None
    paying = checkout.pay(order, "pm_whatever")
    assert paying.status_code == 409 and paying.json()["code"] == "hold_expired"


def test_a_lapsed_hold_read_by_its_customer_ends_at_once(checkout):
    order = checkout.hold()
    Order.objects.filter(pk=order["id"]).update(expires_at=timezone.now())
    assert checkout.read(order)["status"] == "expired"
    assert checkout.seats_sold() == 0


def _pay_at_stripe(order):
    """The customer's payment goes through at Stripe; we have not heard of it yet."""
    payment = Payment.objects.get(pk=order["id"])
    stripe_post(f"payment_intents/{payment.intent_id}", payment_method=setup_card(
        order["payment"]))
    return stripe_post(f"payment_intents/{payment.intent_id}/confirm")


def test_late_payment_takes_the_seats_again_when_still_free(checkout):
    order = checkout.hold()
    services_now = timezone.now()
    intent = _pay_at_stripe(order)
    # The hold lapsed while Stripe could not tell us (the job expired it regardless).
    Order.objects.filter(pk=order["id"]).update(status="expired")
    Performance.objects.filter(pk=checkout.performance.pk).update(seats_sold=0)
    SeatHolding.objects.update(seats=0)
    post_event(*signed("payment_intent.succeeded", intent))
    order_row = Order.objects.get(pk=order["id"])
    assert order_row.status == "confirmed" and order_row.tickets.count() == 2
    assert checkout.seats_sold() == 2 and SeatHolding.objects.get().seats == 2
    assert services_now < order_row.confirmed_at


def test_late_payment_without_seats_is_refunded_at_once(checkout, make_user):
    order = checkout.hold(quantity=2)
    intent = _pay_at_stripe(order)
    Order.objects.filter(pk=order["id"]).update(status="expired")
    Performance.objects.filter(pk=checkout.performance.pk).update(seats_sold=0)
    SeatHolding.objects.update(seats=0)
    services.order_reserve(user=make_user(), performance_id=checkout.performance.pk,
                           quantity=9, paid_at_box_office=True)  # only 1 seat left
    post_event(*signed("payment_intent.succeeded", intent))
    order_row = Order.objects.get(pk=order["id"])
    payment = Payment.objects.get(pk=order["id"])
    assert order_row.status == "expired" and not order_row.tickets.exists()
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.REFUNDED, 6500)
    assert "no longer available" in payment.refund_reason
    refunds = stripe_get("refunds", payment_intent=payment.intent_id)["data"]
    assert [r["amount"] for r in refunds] == [6500]
    assert checkout.seats_sold() == 9  # never oversold


def test_cancel_refunds_at_stripe_and_releases_seats_once(checkout):
    order = checkout.hold(quantity=3)
    checkout.pay(order, setup_card(order["payment"]))
    barrier = threading.Barrier(5)
    headers = {"HTTP_AUTHORIZATION": checkout.api._credentials["HTTP_AUTHORIZATION"]}

    def cancel(_):
        try:
            barrier.wait(timeout=10)
            return APIClient().post(f"{TICKETS}{order['id']}/cancel/", **headers).status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(5) as pool:
        assert set(pool.map(cancel, range(5))) == {200}
    read = checkout.read(order)
    assert read["status"] == "cancelled"
    assert (read["payment"]["status"], read["payment"]["refunded_cents"]) == ("refunded", 9750)
    intent = Payment.objects.get(pk=order["id"]).intent_id
    refunds = stripe_get("refunds", payment_intent=intent)["data"]
    assert [r["amount"] for r in refunds] == [9750]  # exactly one refund
    assert checkout.seats_sold() == 0 and SeatHolding.objects.get().seats == 0


def test_cancel_while_stripe_is_down_owes_the_refund_and_the_job_sends_it(checkout, settings,
                                                                        localstripe_server):
    order = checkout.hold()
    checkout.pay(order, setup_card(order["payment"]))
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    response = checkout.api.post(f"{TICKETS}{order['id']}/cancel/")
    assert response.status_code == 200
    assert response.json()["payment"]["status"] == "refund_due"
    assert checkout.seats_sold() == 0
    settings.STRIPE_API_BASE = localstripe_server
    call_command("release_expired_holds")
    payment = Payment.objects.get(pk=order["id"])
    assert (payment.status, payment.refunded_cents) == (PaymentStatus.REFUNDED, 6500)
    assert len(stripe_get("refunds", payment_intent=payment.intent_id)["data"]) == 1


def test_cancelling_a_hold_cancels_its_intent(checkout):
    order = checkout.hold()
    response = checkout.api.post(f"{TICKETS}{order['id']}/cancel/")
    assert response.json()["status"] == "cancelled"
    payment = Payment.objects.get(pk=order["id"])
    assert payment.status == PaymentStatus.CANCELED
    assert stripe_get(f"payment_intents/{payment.intent_id}")["status"] == "canceled"
    assert checkout.seats_sold() == 0


def test_a_refund_made_in_stripes_dashboard_is_reflected(checkout):
    order = checkout.hold()
    checkout.pay(order, setup_card(order["payment"]))
    payment = Payment.objects.get(pk=order["id"])
    stripe_post("refunds", payment_intent=payment.intent_id)
    intent = stripe_get(f"payment_intents/{payment.intent_id}")
    charge = stripe_get(f"charges/{intent['latest_charge']['id']}")
    charge["amount_refunded"] = charge["amount"]  # localstripe does not keep it up to date
    post_event(*signed("charge.refunded", charge))
    read = checkout.read(order)
    assert read["status"] == "cancelled"
    assert (read["payment"]["status"], read["payment"]["refunded_cents"]) == ("refunded", 6500)
    assert checkout.seats_sold() == 0


def test_check_in_refuses_a_ticket_whose_order_is_not_confirmed(checkout):
    order = checkout.hold()
    checkout.pay(order, setup_card(order["payment"]))
    code = Ticket.objects.filter(order_id=order["id"]).first().code
    checkout.api.post(f"{TICKETS}{order['id']}/cancel/")
    with pytest.raises(errors.TicketCancelled):
        services.ticket_check_in(code=code)
