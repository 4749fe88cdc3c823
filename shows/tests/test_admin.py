import csv
import io

import pytest
from django.contrib import admin
from django.urls import reverse

from shows.models import Performance
from tickets import services

pytestmark = pytest.mark.django_db


def test_every_changelist_and_add_page_answers(staff_client, make_performance):
    make_performance()
    for model, _model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        assert staff_client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code == 200
        add = staff_client.get(reverse("admin:{}_{}_add".format(*info)))
        # Orders and tickets come only from the reservation service (read-only in admin).
        expected = 403 if model._meta.app_label in ("tickets", "payments", "staff") else 200
        assert add.status_code == expected, model


def test_performance_change_page_shows_seats_sold_read_only(staff_client, make_performance):
    performance = make_performance()
    page = staff_client.get(reverse("admin:shows_performance_change", args=[performance.pk]))
    assert page.status_code == 200
    assert b'name="seats_sold"' not in page.content


def test_capacity_cannot_be_set_below_seats_sold(staff_client, make_performance, make_user):
    performance = make_performance(capacity=10)
    services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=6)
    url = reverse("admin:shows_performance_change", args=[performance.pk])
    response = staff_client.post(url, {
        "show": performance.show_id, "venue": performance.venue_id,
        "starts_at_0": performance.starts_at.date().isoformat(),
        "starts_at_1": performance.starts_at.strftime("%H:%M:%S"),
        "capacity": 5, "price_cents": 2500, "currency": "EUR",
    })
    assert response.status_code == 200
    assert b"6 seats are already sold" in response.content
    assert Performance.objects.get(pk=performance.pk).capacity == 10


def test_export_attendees_has_one_row_per_valid_ticket(staff_client, make_performance,
                                                       make_user):
    performance = make_performance(capacity=20)
    other = make_performance()
    kept = services.order_reserve(user=make_user(email="ann@example.com"),
                                  performance_id=performance.pk, quantity=3)
    cancelled = services.order_reserve(user=make_user(), performance_id=performance.pk,
                                       quantity=2)
    services.order_cancel(user=cancelled.customer, order_id=cancelled.pk)
    services.order_reserve(user=make_user(), performance_id=other.pk, quantity=4)
    response = staff_client.post(reverse("admin:shows_performance_changelist"), {
        "action": "export_attendees", "_selected_action": [performance.pk]})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 3
    assert {r["ticket_code"] for r in rows} == set(kept.tickets.values_list("code", flat=True))
    assert {r["customer_email"] for r in rows} == {"ann@example.com"}


def test_sales_overview(staff_client, make_performance, make_user):
    performance = make_performance(capacity=50, price_cents=1000)
    services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=4,
                           paid_at_box_office=True)
    page = staff_client.get(reverse("admin:shows_performance_sales"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "40.00 EUR" in text and "8%" in text
