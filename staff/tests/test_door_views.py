"""Door mode's pages and JSON endpoints: staff only, CSRF-protected, thin."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from staff.models import DoorScan
from tickets.models import Ticket
from tickets.services import ticket_check_in

pytestmark = pytest.mark.django_db


def scan_url(performance):
    return reverse("admin:staff_doormode_scan", args=[performance.pk])


def post_scan(client, performance, code, scan_id=None, **extra):
    body = {"scan_id": str(scan_id or uuid.uuid4()), "code": code}
    return client.post(scan_url(performance), json.dumps(body),
                       content_type="application/json", **extra)


@pytest.fixture
def pages(tonight):
    return [reverse("admin:staff_doormode_changelist"),
            reverse("admin:staff_doormode_door", args=[tonight.pk])]


def test_anonymous_and_non_staff_get_the_admin_login_page(pages, make_user):
    anonymous, customer = Client(), Client()
    customer.force_login(make_user())
    for client in (anonymous, customer):
        for url in pages:
            response = client.get(url, follow=True)
            assert response.redirect_chain[0][0].startswith(
                f"{reverse('admin:login')}?next={url}")
            assert response.templates[0].name == "admin/login.html"


def test_the_endpoints_refuse_anyone_but_staff(tonight, reserve, make_user):
    _, (ticket,) = reserve(tonight)
    customer = Client()
    customer.force_login(make_user())
    for client in (Client(), customer):
        response = post_scan(client, tonight, ticket.code)
        assert response.status_code == 403
        assert response.json()["code"] == "not_staff"
        assert client.get(reverse("admin:staff_doormode_counts",
                                  args=[tonight.pk])).status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).checked_in_at is None


def test_a_scan_needs_the_csrf_token(tonight, reserve, staff_user):
    _, (ticket,) = reserve(tonight)
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    assert post_scan(client, tonight, ticket.code).status_code == 403
    assert Ticket.objects.get(pk=ticket.pk).checked_in_at is None
    page = client.get(reverse("admin:staff_doormode_door", args=[tonight.pk]))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"',
                      page.content.decode()).group(1)
    response = post_scan(client, tonight, ticket.code, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 200 and response.json()["result"] == "valid"


def test_the_picker_lists_today_s_performances(staff_client, tonight, make_performance):
    later = make_performance(starts_at=timezone.now() + dt.timedelta(days=3))
    response = staff_client.get(reverse("admin:staff_doormode_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("admin:staff_doormode_door", args=[tonight.pk]) in html
    assert reverse("admin:staff_doormode_door", args=[later.pk]) not in html


def test_the_door_page_has_the_counts_urls_and_a_strict_csp(staff_client, tonight, reserve):
    _, tickets = reserve(tonight, 3)
    ticket_check_in(code=tickets[0].code)
    response = staff_client.get(reverse("admin:staff_doormode_door", args=[tonight.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<strong id="checked-in">1</strong>' in html and '<span id="tickets">3</span>' in html
    assert f'data-scan-url="{scan_url(tonight)}"' in html
    assert "zxing_reader.wasm" in html and "https://" not in html
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval';" in csp and "unsafe-inline" not in csp
    assert response["Cache-Control"].startswith("max-age=0")  # admin_view: never cached
    assert staff_client.get(reverse("admin:staff_doormode_door",
                                    args=[tonight.pk + 999])).status_code == 404


def test_a_scan_answers_with_the_result_the_order_and_the_counts(staff_client, tonight,
                                                                 reserve):
    _, (first, _) = reserve(tonight, 2)
    scan_id = uuid.uuid4()
    body = post_scan(staff_client, tonight, first.code, scan_id).json()
    assert body == {"scan_id": str(scan_id), "code": first.code, "result": "valid",
                    "ok": True, "title": "Valid", "detail": "Full price", "checked_in_at": None,
                    "order": {"checked_in": 1, "tickets": 2}, "replayed": False,
                    "counts": {"checked_in": 1, "tickets": 2}}
    again = post_scan(staff_client, tonight, first.code).json()
    checked_in_at = Ticket.objects.get(pk=first.pk).checked_in_at
    assert again["result"] == "already_checked_in" and not again["ok"]
    assert again["checked_in_at"] == checked_in_at.isoformat()
    replay = post_scan(staff_client, tonight, first.code, scan_id).json()
    assert replay["result"] == "valid" and replay["replayed"]
    unknown = post_scan(staff_client, tonight, "NOPE").json()
    assert (unknown["result"], unknown["title"], unknown["order"]) == (
        "unknown", "Unknown code", None)
    counts = staff_client.get(reverse("admin:staff_doormode_counts", args=[tonight.pk]))
    assert counts.json() == {"counts": {"checked_in": 1, "tickets": 2}}


@pytest.mark.parametrize("body", [
    "not json", json.dumps({"code": "X"}), json.dumps({"scan_id": "nope", "code": "X"}),
    json.dumps({"scan_id": str(uuid.uuid4()), "code": 12}),
    json.dumps({"scan_id": str(uuid.uuid4()), "code": ""}),
    json.dumps(["a list"]),
])
def test_a_malformed_scan_is_a_422_problem(staff_client, tonight, body):
    response = staff_client.post(scan_url(tonight), body, content_type="application/json")
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "invalid"
    assert not DoorScan.objects.exists()


def test_other_refusals_are_problems(staff_client, tonight, reserve):
    _, (first, second) = reserve(tonight, 2)
    scan_id = uuid.uuid4()
    post_scan(staff_client, tonight, first.code, scan_id)
    reused = post_scan(staff_client, tonight, second.code, scan_id)
    assert (reused.status_code, reused.json()["code"]) == (422, "scan_id_reused")
    missing = staff_client.post(reverse("admin:staff_doormode_scan", args=[tonight.pk + 999]),
                                json.dumps({"scan_id": str(uuid.uuid4()), "code": "X"}),
                                content_type="application/json")
    assert (missing.status_code, missing.json()["code"]) == (404, "not_found")
    assert staff_client.get(scan_url(tonight)).status_code == 405
    big = staff_client.post(scan_url(tonight), "x" * 5000, content_type="application/json")
    assert big.status_code == 413


def test_the_admin_index_links_door_mode_and_the_dashboard(staff_client):
    html = staff_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:staff_doormode_changelist") in html
    assert reverse("admin:staff_salesdashboard_changelist") in html


@pytest.mark.parametrize("model", ["doormode", "salesdashboard"])
def test_the_tools_add_and_change_nothing(staff_client, tonight, model):
    assert staff_client.get(reverse(f"admin:staff_{model}_add")).status_code == 403
    change = reverse(f"admin:staff_{model}_change", args=[tonight.pk])
    assert staff_client.get(change).status_code == 403
    assert staff_client.get(reverse(f"admin:staff_{model}_delete",
                                    args=[tonight.pk])).status_code == 403
