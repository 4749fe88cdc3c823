"""Order emails end to end on moto's SES: one email per transition, never twice, retried.

Transactional tests: the email goes out after the order's commit (on_commit), inline here
(EMAIL_DISPATCH=inline, as in `make run`); deploy/tests/test_email_task.py runs the same
task the way Zappa invokes it on Lambda.
"""

from __future__ import annotations

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from notifications import services, tasks
from notifications.messages import qr_png
from notifications.models import EmailKind, EmailStatus, OrderEmail
from tickets import services as tickets
from tickets.holds import orders_release_expired
from tickets.models import Order
from tickets.tests.pdf_reading import pdf_pages_qr_codes

from .conftest import SENDER

pytestmark = pytest.mark.django_db(transaction=True)

TICKETS = "/api/v1/tickets/"


@pytest.fixture
def customer(bearer):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=bearer("ann@example.com")["HTTP_AUTHORIZATION"])
    return client


def reserve(client, performance, quantity=2):
    response = client.post(TICKETS, {"performance": performance.pk, "quantity": quantity},
                           format="json")
    assert response.status_code == 201, response.content
    return response.json()


def record(order_id, kind) -> OrderEmail:
    return OrderEmail.objects.get(order_id=order_id, kind=kind)


def test_a_confirmed_order_sends_one_email_with_codes_qr_codes_and_calendar(
        ses, customer, make_performance):
    performance = make_performance(capacity=10)
    order = reserve(customer, performance, quantity=2)
    codes = [t["code"] for t in order["tickets"]]

    [sent] = ses.of(order["id"])
    assert sent.recipients == ["ann@example.com"] == [sent.message["To"]] and SENDER in sent.source
    assert sent.subject == f"Your tickets for {performance.show.title}"
    assert sent.kind == "confirmation"
    assert sent.message.get_content_type() == "multipart/mixed"
    assert all(code in sent.text for code in codes)
    assert performance.show.title in sent.text and "Main Hall" in sent.text
    assert "Free" in sent.text  # the total
    # Each ticket's QR code is an inline PNG that the HTML names by Content-ID.
    assert sent.part("multipart/related")
    images = sent.parts("image/png")
    assert len(images) == 2
    for code in codes:
        image = next(i for i in images if i["Content-ID"] == f"<qr-{code.lower()}@marquee>")
        assert image.get_content() == qr_png(code)
        assert image.get_content().startswith(b"\x89PNG")
        assert f'src="cid:qr-{code.lower()}@marquee"' in sent.html
        assert code in sent.html
    calendar = sent.part("text/calendar")
    assert calendar.get_filename().endswith(".ics")
    ics = calendar.get_content()
    assert "BEGIN:VEVENT" in ics
    assert f"DTSTART:{performance.starts_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}" in ics
    assert f"https://tickets.example.com/tickets/{order['id']}" in ics.replace("\r\n ", "")
    # The printable tickets: a PDF, a page per ticket, each QR code its ticket's code.
    pdf = sent.part("application/pdf")
    assert pdf.get_filename() == f"marquee-tickets-{order['id'][:8]}.pdf"
    assert pdf_pages_qr_codes(pdf.get_content()) == [[code] for code in codes]

    email = record(order["id"], EmailKind.CONFIRMATION)
    assert (email.status, email.attempts, email.recipient) == ("sent", 1, "ann@example.com")
    assert email.message_id == ses.backend.sent_messages[-1].id  # SES's MessageId


def test_a_cancelled_order_sends_one_cancellation(ses, customer, make_performance):
    order = reserve(customer, make_performance())
    response = customer.post(f"{TICKETS}{order['id']}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"

    kinds = [m.kind for m in ses.of(order["id"])]
    assert kinds == ["confirmation", "cancellation"]
    [cancelled] = [m for m in ses.of(order["id"]) if m.kind == "cancellation"]
    assert cancelled.recipients == ["ann@example.com"]
    assert cancelled.subject.endswith("is cancelled")
    assert "no longer valid" in cancelled.text and "refunding" not in cancelled.text
    assert not cancelled.parts("image/png") and not cancelled.parts("text/calendar")
    assert not cancelled.parts("application/pdf")
    # Cancelling again changes nothing and sends nothing.
    customer.post(f"{TICKETS}{order['id']}/cancel/")
    assert len(ses.of(order["id"])) == 2


def test_a_retried_task_sends_nothing_more(ses, customer, make_performance):
    from zappa.asynchronous import route_lambda_task

    order = reserve(customer, make_performance())
    email = record(order["id"], EmailKind.CONFIRMATION)
    # The same task again: directly, as Zappa's router delivers it, and from the job.
    assert tasks.send_order_email(str(email.pk)) == "not due"
    assert route_lambda_task(tasks.zappa_message(email.pk), None) == "not due"
    assert services.emails_retry_failed(now=timezone.now() + dt.timedelta(hours=3)) == 0
    # A second notice of the same transition finds its record taken.
    services.order_notify(order_id=order["id"], kind=EmailKind.CONFIRMATION)
    assert len(ses.of(order["id"])) == 1
    assert OrderEmail.objects.filter(order_id=order["id"]).count() == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)


@pytest.mark.postgres
def test_parallel_deliveries_of_one_task_send_once(ses, make_performance, make_user,
                                                   settings):
    settings.EMAIL_DISPATCH = "defer"  # the row is queued; the workers below race for it
    order = tickets.order_reserve(user=make_user(email="par@example.com"),
                                  performance_id=make_performance().pk, quantity=1)
    email = record(order.pk, EmailKind.CONFIRMATION)
    barrier = threading.Barrier(8)

    def deliver(_):
        barrier.wait()
        try:
            return tasks.send_order_email(str(email.pk))
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(deliver, range(8)))
    assert sorted(results) == ["not due"] * 7 + ["sent"]
    assert len(ses.of(order.pk)) == 1


def test_an_ses_failure_keeps_the_order_and_the_email_is_retried(
        ses, customer, make_performance, caplog):
    from project import aws

    aws.client("sesv2").delete_email_identity(EmailIdentity=SENDER)  # SES now refuses
    order = reserve(customer, make_performance())  # still 201: the order stands

    assert Order.objects.get(pk=order["id"]).status == "confirmed"
    assert ses.of(order["id"]) == []
    email = record(order["id"], EmailKind.CONFIRMATION)
    assert (email.status, email.attempts) == ("failed", 1)
    assert "MessageRejected" in email.last_error
    assert email.next_attempt_at is not None
    assert any(order["id"] in r.getMessage() and r.levelname == "ERROR"
               for r in caplog.records)

    # Not before its delay; then the per-minute job sends it, once.
    assert services.emails_retry_failed(now=email.next_attempt_at - dt.timedelta(
        seconds=1)) == 0
    aws.client("sesv2").create_email_identity(EmailIdentity=SENDER)
    orders_release_expired(now=email.next_attempt_at)  # the job calls emails_retry_failed
    assert len(ses.of(order["id"])) == 1
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 2)
    orders_release_expired(now=email.next_attempt_at or timezone.now() + dt.timedelta(
        hours=5))
    assert len(ses.of(order["id"])) == 1


def test_failures_back_off_then_give_up(make_performance, make_user, settings, caplog):
    settings.EMAIL_BACKEND = "notifications.tests.test_services.BrokenBackend"
    order = tickets.order_reserve(user=make_user(), performance_id=make_performance().pk,
                                  quantity=1)
    email = record(order.pk, EmailKind.CONFIRMATION)
    delays = []
    while email.next_attempt_at is not None:
        delays.append(round((email.next_attempt_at - (email.claimed_at)).total_seconds()
                            / 60))
        services.emails_retry_failed(now=email.next_attempt_at)
        email.refresh_from_db()
    assert delays == [1, 2, 4, 8, 16, 32, 60]
    assert (email.status, email.attempts) == ("failed", services.MAX_ATTEMPTS)
    assert any("given up" in r.getMessage() for r in caplog.records)


class BrokenBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionError("SES is unreachable")


def test_an_order_without_an_email_address_waits_for_one(ses, make_performance, make_user):
    user = make_user(email="")
    order = tickets.order_reserve(user=user, performance_id=make_performance().pk,
                                  quantity=1)
    email = record(order.pk, EmailKind.CONFIRMATION)
    assert email.status == "failed" and "no email address" in email.last_error
    user.email = "late@example.com"
    user.save()
    services.emails_retry_failed(now=email.next_attempt_at)
    [sent] = ses.of(order.pk)
    assert sent.recipients == ["late@example.com"]


def test_a_confirmation_whose_order_was_cancelled_meanwhile_is_skipped(
        ses, make_performance, make_user, settings):
    settings.EMAIL_DISPATCH = "defer"
    order = tickets.order_reserve(user=make_user(), performance_id=make_performance().pk,
                                  quantity=1)
    tickets.order_cancel(order_id=order.pk)
    assert services.emails_retry_failed() == 2
    assert [m.kind for m in ses.of(order.pk)] == ["cancellation"]
    assert record(order.pk, EmailKind.CONFIRMATION).status == EmailStatus.SKIPPED


def test_lambda_dispatch_invokes_the_running_version_as_zappa_would(
        make_performance, make_user, settings, monkeypatch):
    from project import aws

    calls = []

    class Lambda:
        def invoke(self, **kwargs):
            calls.append(kwargs)
            return {"StatusCode": 202}

    settings.EMAIL_DISPATCH = "lambda"
    settings.EMAIL_TASK_FUNCTION, settings.EMAIL_TASK_QUALIFIER = "marquee-production", "7"
    monkeypatch.setitem(aws._clients, "lambda", Lambda())
    order = tickets.order_reserve(user=make_user(), performance_id=make_performance().pk,
                                  quantity=1)
    email = record(order.pk, EmailKind.CONFIRMATION)
    [call] = calls
    assert (call["FunctionName"], call["Qualifier"], call["InvocationType"]) == (
        "marquee-production", "7", "Event")
    import json

    assert json.loads(call["Payload"]) == {
        "command": "zappa.asynchronous.route_lambda_task",
        "task_path": "notifications.tasks.send_order_email", "capture_response": False,
        "response_id": None, "args": [], "kwargs": {"email_id": str(email.pk)}}
    assert email.status == "queued"  # until the invocation claims it


def test_a_failed_invoke_leaves_the_email_to_the_job(make_performance, make_user, settings,
                                                     monkeypatch):
    from django.core import mail

    from project import aws

    class Down:
        def invoke(self, **kwargs):
            raise ConnectionError("Lambda API unreachable")

    settings.EMAIL_DISPATCH = "lambda"
    settings.EMAIL_TASK_FUNCTION = "marquee-production"
    monkeypatch.setitem(aws._clients, "lambda", Down())
    order = tickets.order_reserve(user=make_user(), performance_id=make_performance().pk,
                                  quantity=1)  # no error for the customer
    email = record(order.pk, EmailKind.CONFIRMATION)
    assert email.status == "queued"
    settings.EMAIL_DISPATCH = "inline"  # the job, two minutes on
    assert services.emails_retry_failed(now=email.created_at + dt.timedelta(minutes=1)) == 0
    assert services.emails_retry_failed(now=email.created_at + dt.timedelta(minutes=2)) == 1
    assert [m.extra_headers["X-Marquee-Email"] for m in mail.outbox] == ["confirmation"]


# ------------------------------------------------------------------ paid orders (localstripe)

@pytest.fixture
def paid(stripe_local, settings, make_performance, customer):
    settings.PAYMENT_RECONCILE_SECONDS = 0
    return make_performance(capacity=10, price_cents=3250, currency="EUR")


def prepare(client, order):
    """The payment step (the SPA calls it as it shows the card form)."""
    response = client.post(f"{TICKETS}{order['id']}/payment/")
    assert response.status_code == 200, response.content
    return response.json()


def pay(client, order):
    from payments.tests.stripe_helpers import setup_card

    order = prepare(client, order)
    response = client.post(f"{TICKETS}{order['id']}/pay/",
                           {"payment_method": setup_card(order["payment"])}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_a_paid_order_is_confirmed_then_cancelled_with_its_refund(ses, paid, customer):
    order = reserve(customer, paid)
    assert order["status"] == "pending" and ses.of(order["id"]) == []  # a hold: no email
    assert pay(customer, order)["status"] == "confirmed"
    [confirmation] = ses.of(order["id"])
    assert "65.00 EUR" in confirmation.text and len(confirmation.parts("image/png")) == 2

    assert customer.post(f"{TICKETS}{order['id']}/cancel/").status_code == 200
    [_, cancellation] = ses.of(order["id"])
    assert cancellation.kind == "cancellation"
    assert "We are refunding 65.00 EUR" in cancellation.text
    assert "refunding 65.00 EUR" in cancellation.html


def test_an_expired_hold_sends_one_expiry_notice(ses, paid, customer):
    order = reserve(customer, paid, quantity=3)
    expires = dt.datetime.fromisoformat(order["expires_at"])
    for _ in range(2):  # the job twice (or two overlapping runs): one notice
        orders_release_expired(now=expires + dt.timedelta(seconds=1))
    assert Order.objects.get(pk=order["id"]).status == "expired"
    [expiry] = ses.of(order["id"])
    assert expiry.kind == "expiry" and expiry.recipients == ["ann@example.com"]
    assert expiry.subject == f"Your hold on seats for {paid.show.title} has lapsed"
    assert "3 seats" in expiry.text and "nothing was charged" in expiry.text
    assert not expiry.parts("image/png")


def test_a_late_payment_without_seats_sends_the_refund_notice(ses, paid, customer,
                                                               make_user):
    order = prepare(customer, reserve(customer, paid, quantity=2))
    expires = dt.datetime.fromisoformat(order["expires_at"])
    orders_release_expired(now=expires + dt.timedelta(seconds=1))
    # The seats go to someone else; then the first customer's payment succeeds.
    tickets.order_reserve(user=make_user(), performance_id=paid.pk, quantity=10,
                          paid_at_box_office=True)
    tickets.order_payment_succeeded(order_id=order["id"])
    kinds = [m.kind for m in ses.of(order["id"])]
    assert kinds == ["expiry", "refund"]
    refund = ses.of(order["id"])[1]
    assert "after your hold on the seats had lapsed" in refund.text
    assert "65.00 EUR" in refund.text
