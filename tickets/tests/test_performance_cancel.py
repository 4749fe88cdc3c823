"""Cancelling a performance (issue 21): 300 orders (paid, free, held), Stripe failing for a
while in the middle; afterwards every paid order has exactly one full refund at
localstripe, every customer exactly one email (moto's SES), no seat is held, and running
the job again changes nothing."""

from __future__ import annotations

import itertools
from collections import Counter

import pytest
from django.core.management import call_command

from notifications.tests.conftest import ses  # noqa: F401  (the fixture)
from payments import stripe_api
from payments.errors import PaymentUnavailable
from payments.models import Payment
from payments.tests.stripe_helpers import stripe_get
from shows.models import Performance
from tickets import services
from tickets.cancellations import cancellation_progress, performance_cancel
from tickets.models import Order, PerformanceCancellation, WaitlistEntry

from .paid import paid_order

pytestmark = pytest.mark.django_db(transaction=True)


def test_three_hundred_orders_through_a_stripe_outage(ses, stripe_local,  # noqa: F811
                                                      make_performance, make_user, settings,
                                                      monkeypatch, assert_seats_exact):
    ses_backend = settings.EMAIL_BACKEND
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"  # the sales
    paid_show = make_performance(capacity=400, price_cents=1500)
    customers = [make_user() for _ in range(290)]
    paid = [paid_order(customers[i], paid_show, quantity=1 + i % 2) for i in range(40)]
    held = [services.order_reserve(user=customers[40 + i], performance_id=paid_show.pk,
                                   quantity=1) for i in range(40)]
    # Free orders: the same performance's second category, free (a comp tariff).
    free_category = paid_show.categories.create(name="Invitation", price_cents=0,
                                                sort_order=9)
    free = [services.order_reserve(
        user=customers[80 + i], performance_id=paid_show.pk,
        lines=[services.LineRequest(free_category.pk, 1)]) for i in range(210)]
    # Ten customers with two orders: still one email each.
    free += [services.order_reserve(
        user=customers[80 + i], performance_id=paid_show.pk,
        lines=[services.LineRequest(free_category.pk, 1)]) for i in range(10)]
    orders = paid + held + free
    assert len(orders) == 300
    sent_before = len(ses.all())
    WaitlistEntry.objects.create(performance=paid_show, customer=make_user(), seats=1,
                                 min_seats=1, joined_at=paid_show.starts_at)

    settings.EMAIL_BACKEND = ses_backend  # what the cancellation sends goes through SES
    performance_cancel(performance_id=paid_show.pk, reason="the lead is ill")
    assert Performance.objects.get(pk=paid_show.pk).cancelled
    assert WaitlistEntry.objects.get(performance=paid_show).status == "removed"

    real_call = stripe_api.call
    outage = itertools.count()

    def flaky(operation, *args, **kwargs):  # Stripe refuses 30 refunds in the middle
        if operation == "refunds.create" and 10 <= next(outage) < 40:
            raise PaymentUnavailable()
        return real_call(operation, *args, **kwargs)

    monkeypatch.setattr(stripe_api, "call", flaky)
    monkeypatch.setattr("payments.services.call", flaky)
    from tickets import cancellations

    runs = 0
    while PerformanceCancellation.objects.filter(finished_at__isnull=True).exists() \
            or Payment.objects.filter(status__in=["refund_due", "refunding"]).exists():
        cancellations.cancellations_work(limit=100)
        call_command("release_expired_holds")
        runs += 1
        assert runs < 10
    progress = cancellation_progress(performance_id=paid_show.pk)
    assert progress["left"] == 0 and progress["retrying"] == 0
    assert progress["refunded"] == 40 and progress["cancelled"] == 300

    for order in paid:
        intent = Payment.objects.get(pk=order.pk).intent_id
        refunds = [r["amount"] for r in stripe_get("refunds", payment_intent=intent)["data"]]
        assert refunds == [order.total_cents], order.pk
    assert set(Order.objects.filter(performance=paid_show).values_list("status", flat=True)) \
        == {"cancelled"}
    assert_seats_exact(paid_show)
    assert Performance.objects.get(pk=paid_show.pk).seats_sold == 0
    told = Counter(m.recipients[0] for m in ses.all()[sent_before:]
                   if m.kind == "show_cancelled")
    assert set(told) == {c.email for c in customers} and set(told.values()) == {1}

    before = (len(ses.all()), list(Order.objects.values_list("pk", "status", "updated_at")))
    call_command("release_expired_holds")
    assert (len(ses.all()), list(Order.objects.values_list("pk", "status", "updated_at"))) \
        == before
