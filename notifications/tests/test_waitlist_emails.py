"""Waiting-list emails on moto's SES: the offer reaches the right person with a link that
works, and a lapsed offer sends its notice once."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tickets import services as tickets
from tickets import waitlist
from tickets.holds import orders_release_expired
from tickets.models import Order, WaitlistEntry

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_offer_email_links_to_the_held_order_and_its_lapse_is_told_once(
        ses, stripe_local, settings, make_performance, make_user, bearer):
    settings.SITE_URL = "https://tickets.example.com"
    performance = make_performance(capacity=2, price_cents=2000)
    buyer = make_user(email="buyer@example.com")
    tickets.order_reserve(user=buyer, performance_id=performance.pk, quantity=2,
                          paid_at_box_office=True)
    headers = bearer("first@example.com")
    api = APIClient()
    assert api.post(f"/api/v1/performances/{performance.pk}/waitlist/", {"seats": 2},
                    format="json", **headers).status_code == 201
    second = make_user(email="second@example.com")
    waitlist.waitlist_join(user=second, performance_id=performance.pk, seats=1)
    ses_before = len(ses.all())
    tickets.order_cancel(order_id=Order.objects.get(customer=buyer).pk)

    offer = WaitlistEntry.objects.get(customer__email="first@example.com").offer_order
    [email] = ses.of(offer.pk)
    assert email.kind == "offer" and email.recipients == ["first@example.com"]
    [link] = set(re.findall(r"https://tickets\.example\.com(/tickets/[0-9a-f-]{36})", email.text))
    assert link == f"/tickets/{offer.pk}"
    # The link's order is theirs, held and payable (the SPA route reads this API).
    held = api.get(f"/api/v1{link}/", **headers).json()
    assert held["status"] == "pending" and held["payment"] is None  # until the payment step
    held = api.post(f"/api/v1{link}/payment/", **headers).json()
    assert held["status"] == "pending" and held["payment"]["setup_client_secret"]
    assert api.get(f"/api/v1{link}/", **bearer("someone@example.com")).status_code == 404

    Order.objects.filter(pk=offer.pk).update(expires_at=timezone.now())
    for _ in range(2):
        orders_release_expired()
    lapsed = [m for m in ses.of(offer.pk) if m.kind == "offer_lapsed"]
    assert len(lapsed) == 1 and lapsed[0].recipients == ["first@example.com"]
    # The seats moved to the next in line, who got their own offer email.
    next_offer = WaitlistEntry.objects.get(customer=second).offer_order
    assert [m.recipients for m in ses.of(next_offer.pk)] == [["second@example.com"]]
    sent = sorted((m.kind, m.recipients[0]) for m in ses.all()[ses_before:])
    assert sent == [("cancellation", "buyer@example.com"), ("offer", "first@example.com"),
                    ("offer", "second@example.com"), ("offer_lapsed", "first@example.com")]
