"""The seat on what staff and customers read: the confirmation email, the attendee CSV,
door mode's answer."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from seating.tests.helpers import seat_ids
from tickets.services import order_reserve

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def sold(make_seated, make_user, django_capture_on_commit_callbacks):
    performance = make_seated("[Stalls]\nF: a a a a a a a a a a a a\n",
                              starts_at=timezone.now() + dt.timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        order = order_reserve(user=make_user(email="ann@example.com"),
                              performance_id=performance.pk,
                              seats=seat_ids(performance, "F-12"))
    return performance, order


def test_the_confirmation_email_names_the_seat(sold):
    assert "Stalls, row F, seat 12" in mail.outbox[-1].body
    html = next(part.get_payload(decode=True).decode() for part in
                mail.outbox[-1].message().walk() if part.get_content_type() == "text/html")
    assert "Stalls, row F, seat 12" in html


def test_the_attendee_csv_has_the_seat(sold, staff_client):
    performance, _ = sold
    response = staff_client.post(reverse("admin:shows_performance_changelist"), {
        "action": "export_attendees", "_selected_action": [performance.pk]})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [r["seat"] for r in rows] == ["Stalls, row F, seat 12"]


def test_door_mode_shows_the_seat(sold, staff_client):
    performance, order = sold
    response = staff_client.post(
        reverse("admin:staff_doormode_scan", args=[performance.pk]),
        json.dumps({"scan_id": str(uuid.uuid4()), "code": order.tickets.get().code}),
        content_type="application/json")
    assert response.json()["result"] == "valid"
    assert response.json()["seat"] == "Stalls, row F, seat 12"


def test_the_dashboard_draws_the_house(sold, staff_client, make_user):
    from tickets.seating import seats_block
    from tickets.services import ticket_check_in

    performance, order = sold
    seats_block(performance_id=performance.pk, seat_ids=seat_ids(performance, "F-1"))
    ticket_check_in(code=order.tickets.get().code)
    html = staff_client.get(reverse("admin:staff_salesdashboard_detail",
                                    args=[performance.pk])).content.decode()
    assert 'class="house-map"' in html
    assert html.count('data-state="checked_in"') == 1
    assert html.count('data-state="blocked"') == 1
    assert html.count('data-state="free"') == 10
    assert "Stalls, row F, seat 12: checked_in" in html
