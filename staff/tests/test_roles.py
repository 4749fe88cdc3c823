"""Roles: each staff role can do what it should and gets a 403 for the rest, over the
pages and their POSTs (door mode, the sales dashboard and reports, refunds, performance
cancellation and prices). The counter and comps use permissions defined here already
(staff.sell_at_counter, staff.give_comps, …); their pages come with the counter."""

from __future__ import annotations

import json
import uuid

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from shows.models import Performance
from staff import roles
from tickets.models import Order, Ticket

pytestmark = pytest.mark.django_db

ROLES = ["Door", "Box office", "Manager", None]


@pytest.fixture
def as_role(make_staff):
    def sign_in(role):
        client = Client()
        client.force_login(make_staff(role))
        return client
    return sign_in


def test_the_groups_hold_exactly_the_roles_permissions():
    roles.roles_sync()
    for name, perms in roles.ROLES.items():
        held = {f"{p.content_type.app_label}.{p.codename}"
                for p in Group.objects.get(name=name).permissions.select_related("content_type")}
        assert held == set(perms), name
    # The counter's and the comps' permissions exist for the counter page to check.
    for perm in (roles.SELL_AT_COUNTER, roles.BOOK_PAY_LATER, roles.REFUND_OWN_CASH_SALES,
                 roles.GIVE_COMPS):
        assert perm in roles.ROLES[roles.MANAGER]
    assert roles.GIVE_COMPS not in roles.ROLES[roles.BOX_OFFICE]
    assert roles.REFUND_ANY_ORDER not in roles.ROLES[roles.BOX_OFFICE]
    assert set(roles.ROLES[roles.DOOR]) == {roles.CHECK_IN, "tickets.view_ticket"}


@pytest.mark.parametrize("role, allowed", [("Door", True), ("Box office", False),
                                           ("Manager", True), (None, False)])
def test_door_mode_pages_and_scans(as_role, role, allowed, tonight, reserve):
    client = as_role(role)
    _, [ticket] = reserve(tonight)
    for url in (reverse("admin:staff_doormode_changelist"),
                reverse("admin:staff_doormode_door", args=[tonight.pk])):
        response = client.get(url)
        assert response.status_code == (200 if allowed else 403), url
        if not allowed:
            assert b"Not allowed" in response.content
    counts = client.get(reverse("admin:staff_doormode_counts", args=[tonight.pk]))
    assert counts.status_code == (200 if allowed else 403)
    scan = client.post(reverse("admin:staff_doormode_scan", args=[tonight.pk]),
                       json.dumps({"scan_id": str(uuid.uuid4()), "code": ticket.code}),
                       content_type="application/json")
    assert scan.status_code == (200 if allowed else 403)
    if not allowed:
        assert scan["Content-Type"] == "application/problem+json"
        assert scan.json()["code"] == "forbidden"
    assert (Ticket.objects.get(pk=ticket.pk).checked_in_at is not None) == allowed
    index = client.get(reverse("admin:index"))
    assert (reverse("admin:staff_doormode_changelist").encode() in index.content) == allowed


@pytest.mark.parametrize("role, allowed", [("Door", True), ("Box office", False),
                                           ("Manager", True)])
def test_the_admins_check_in_action(as_role, role, allowed, tonight, reserve):
    client = as_role(role)
    _, [ticket] = reserve(tonight)
    response = client.post(reverse("admin:tickets_ticket_changelist"),
                           {"action": "check_in", "_selected_action": [ticket.pk]})
    assert response.status_code == (302 if allowed else 403)
    assert (Ticket.objects.get(pk=ticket.pk).checked_in_at is not None) == allowed


@pytest.mark.parametrize("role, allowed", [("Door", False), ("Box office", False),
                                           ("Manager", True), (None, False)])
def test_the_dashboard_and_reports(as_role, role, allowed, tonight, reserve):
    client = as_role(role)
    reserve(tonight)
    for url in (reverse("admin:staff_salesdashboard_changelist"),
                reverse("admin:staff_salesdashboard_detail", args=[tonight.pk]),
                reverse("admin:staff_salesdashboard_checkin", args=[tonight.pk]),
                reverse("admin:shows_performance_sales")):
        assert client.get(url).status_code == (200 if allowed else 403), url
    export = client.post(reverse("admin:shows_performance_changelist"),
                         {"action": "export_attendees", "_selected_action": [tonight.pk]})
    # Door staff may not even list performances (no shows.view_performance): 403 either way.
    assert export.status_code == (200 if allowed else 403)
    if allowed:
        assert export["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize("role, allowed", [("Door", False), ("Box office", False),
                                           ("Manager", True)])
def test_cancelling_and_refunding_an_order(as_role, role, allowed, tonight, reserve):
    client = as_role(role)
    order, _ = reserve(tonight, quantity=2)
    response = client.post(reverse("admin:tickets_order_changelist"),
                           {"action": "cancel_orders", "_selected_action": [order.pk]})
    assert response.status_code == (302 if allowed else 403)
    assert Order.objects.get(pk=order.pk).status == ("cancelled" if allowed else "confirmed")
    assert Performance.objects.get(pk=tonight.pk).seats_sold == (0 if allowed else 2)
    if role == "Box office":  # sees orders, but the action is not offered
        listing = client.get(reverse("admin:tickets_order_changelist"))
        assert listing.status_code == 200 and b'value="cancel_orders"' not in listing.content


def _performance_form(performance, price_cents=None, **changes):
    """The performance's change form as posted, its one category's price set to
    `price_cents` (when given)."""
    category = performance.categories.get()
    data = {"show": performance.show_id, "venue": performance.venue_id,
            "starts_at_0": performance.starts_at.strftime("%Y-%m-%d"),
            "starts_at_1": performance.starts_at.strftime("%H:%M:%S"),
            "capacity": performance.capacity,
            "currency": performance.currency, "waitlist_enabled": "on",
            "categories-TOTAL_FORMS": 1, "categories-INITIAL_FORMS": 1,
            "categories-0-id": category.pk, "categories-0-performance": performance.pk,
            "categories-0-name": category.name, "categories-0-sort_order": 0,
            "categories-0-price_cents": category.price_cents if price_cents is None
            else price_cents}
    return {**data, **changes}


def _cancel(client, performance):
    return client.post(reverse("admin:shows_performance_changelist"), {
        "action": "cancel_performances", "_selected_action": [performance.pk],
        "confirmed": "yes", "reason": "storm"})


@pytest.mark.parametrize("role", ["Door", "Box office"])
def test_only_a_manager_changes_performances(as_role, role, make_performance):
    performance = make_performance()
    client = as_role(role)
    url = reverse("admin:shows_performance_change", args=[performance.pk])
    response = client.post(url, _performance_form(performance, price_cents=1))
    assert response.status_code == 403
    assert _cancel(client, performance).status_code == 403
    performance.refresh_from_db()
    assert not performance.cancelled and performance.price_cents == 0


def test_a_manager_cancels_a_performance_and_changes_its_price(as_role, make_performance):
    performance = make_performance()
    client = as_role("Manager")
    url = reverse("admin:shows_performance_change", args=[performance.pk])
    response = client.post(url, _performance_form(performance, price_cents=2500))
    assert response.status_code == 302, response.content[:3000]
    performance.refresh_from_db()
    assert performance.price_cents == 2500
    assert _cancel(client, performance).status_code == 302
    performance.refresh_from_db()
    assert performance.cancelled


def test_without_the_cancel_and_price_permissions_those_fields_are_read_only(
        make_staff, make_performance):
    """A staff member who may edit performances but whose role holds neither permission
    (say a programmer's role) cannot cancel one or change its price."""
    from django.contrib.auth.models import Permission

    performance = make_performance()
    editor = make_staff(None)
    editor.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="shows", codename__in=["view_performance",
                                                       "change_performance"]))
    client = Client()
    client.force_login(editor)
    url = reverse("admin:shows_performance_change", args=[performance.pk])
    response = client.post(url, _performance_form(performance, price_cents=999,
                                                  capacity=150))
    assert response.status_code == 302, response.content[:3000]
    assert _cancel(client, performance).status_code == 403
    performance.refresh_from_db()
    assert (performance.cancelled, performance.price_cents, performance.capacity) == \
        (False, 0, 150)
