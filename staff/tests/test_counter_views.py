"""The counter's pages and the end-of-day report over HTTP: each role does what it should
and gets a 403 page for the rest, over the pages and their POSTs (Box office: counter sales
and pay-later bookings; Manager: comps and reports; Door: neither)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from staff.models import CounterSale
from tickets.models import Order, OrderStatus

pytestmark = pytest.mark.django_db

PRICES = [{"name": "Full price", "price_cents": 2500}, {"name": "Reduced", "price_cents": 1500}]
ROLES = ["Door", "Box office", "Manager", None]


@pytest.fixture
def as_role(make_staff):
    def sign_in(role, **fields):
        client = Client()
        client.force_login(make_staff(role, **fields))
        return client
    return sign_in


@pytest.fixture
def show_night(make_performance):
    return make_performance(starts_at=timezone.now() + dt.timedelta(hours=5), capacity=40,
                            categories=PRICES)


def category(performance, name):
    return performance.categories.get(name=name).pk


def sale_form(performance, method, full=1, reduced=0, **fields):
    return {f"qty-{category(performance, 'Full price')}": full,
            f"qty-{category(performance, 'Reduced')}": reduced, "method": method, **fields}


def hold_until(performance):
    return timezone.localtime(performance.starts_at - dt.timedelta(hours=1)).strftime(
        "%Y-%m-%dT%H:%M")


CAN = {  # role → what it may do at the counter
    "Door": set(), None: set(),
    "Box office": {"cash", "card", "pay_later"},
    "Manager": {"cash", "card", "pay_later", "comp"},
}


@pytest.mark.parametrize("role", ROLES)
def test_the_counter_pages(as_role, role, show_night):
    client = as_role(role)
    sells = bool(CAN[role])
    for url in (reverse("admin:staff_counter_changelist"),
                reverse("admin:staff_counter_sell", args=[show_night.pk]),
                reverse("admin:staff_counter_bookings")):
        response = client.get(url)
        assert response.status_code == (200 if sells else 403), url
    page = client.get(reverse("admin:staff_counter_sell", args=[show_night.pk]))
    if sells:
        offered = {m["value"] for m in page.context["methods"]}
        assert offered == CAN[role]
    index = client.get(reverse("admin:index"))
    assert (reverse("admin:staff_counter_changelist").encode() in index.content) == sells


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("method", ["cash", "card", "comp", "pay_later"])
def test_each_way_of_selling_is_for_its_roles(as_role, role, method, show_night):
    client = as_role(role)
    response = client.post(reverse("admin:staff_counter_sell", args=[show_night.pk]),
                           sale_form(show_night, method, given="30", reason="press",
                                     hold_until=hold_until(show_night)))
    allowed = method in CAN[role]
    assert response.status_code == (302 if allowed else 403)
    assert CounterSale.objects.filter(method=method).exists() == allowed
    if not allowed:
        assert not Order.objects.exists()


def test_a_cash_sale_shows_its_change_and_prints(as_role, show_night):
    client = as_role("Box office", username="clerk")
    response = client.post(reverse("admin:staff_counter_sell", args=[show_night.pk]),
                           sale_form(show_night, "cash", full=1, reduced=1, given="50,00",
                                     name="Ada"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["change"] == "10.00 EUR" and page.context["total"] == "40.00 EUR"
    record = CounterSale.objects.get()
    pdf = client.get(reverse("admin:staff_counter_pdf", args=[record.pk]) + "?layout=thermal")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    door = as_role("Door")
    assert door.get(reverse("admin:staff_counter_pdf", args=[record.pk])).status_code == 403
    assert door.get(response["Location"]).status_code == 403


def test_the_sale_form_says_what_is_wrong(as_role, show_night):
    client = as_role("Manager")
    url = reverse("admin:staff_counter_sell", args=[show_night.pk])
    too_little = client.post(url, sale_form(show_night, "cash", given="10"))
    assert too_little.status_code == 422 and too_little.context["problem"]
    no_reason = client.post(url, sale_form(show_night, "comp"))
    assert no_reason.status_code == 422
    nothing = client.post(url, sale_form(show_night, "card", full=0))
    assert nothing.status_code == 422
    too_late = client.post(url, sale_form(show_night, "pay_later", hold_until=timezone.localtime(
        show_night.starts_at - dt.timedelta(minutes=10)).strftime("%Y-%m-%dT%H:%M")))
    assert too_late.status_code == 422
    assert not Order.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_paying_a_phone_booking(as_role, make_staff, role, show_night):
    booker = as_role("Box office")
    booked = booker.post(reverse("admin:staff_counter_sell", args=[show_night.pk]),
                         sale_form(show_night, "pay_later", hold_until=hold_until(show_night),
                                   name="Phone"))
    record = CounterSale.objects.get()
    assert booker.get(reverse("admin:staff_counter_bookings")).context["bookings"][0][
        "record"] == record
    assert booker.get(booked["Location"]).context["pending"]
    client = as_role(role)
    paid = client.post(reverse("admin:staff_counter_collect", args=[record.pk]),
                       {"method": "cash", "given": "25"})
    allowed = bool(CAN[role])
    assert paid.status_code == (302 if allowed else 403)
    status = Order.objects.get(pk=record.pk).status
    assert status == (OrderStatus.CONFIRMED if allowed else OrderStatus.PENDING)


@pytest.mark.parametrize("role, allowed", [("Door", False), ("Box office", False),
                                           ("Manager", True), (None, False)])
def test_the_end_of_day_report(as_role, role, allowed, show_night):
    as_role("Box office", username="clerk").post(
        reverse("admin:staff_counter_sell", args=[show_night.pk]),
        sale_form(show_night, "cash", full=2, given="60"))
    client = as_role(role)
    url = reverse("admin:staff_endofdayreport_changelist")
    page = client.get(url)
    assert page.status_code == (200 if allowed else 403)
    exported = client.get(url, {"format": "csv"})
    assert exported.status_code == (200 if allowed else 403)
    if allowed:
        assert [r["row"].staff for r in page.context["rows"]] == ["clerk"]
        assert exported["Content-Type"] == "text/csv"
        assert b"clerk,cash,EUR,1,2,50.00,0,0.00,0,0.00,50.00" in exported.content
        other_day = client.get(url, {"from": "2020-01-01", "to": "2020-01-02"})
        assert other_day.context["rows"] == []
