"""A voucher without a use limit keeps no count on its row: a sale reads it (FOR KEY SHARE)
and does not write it, so that a venue-wide code is not a second hot row; its uses are its
orders'. Setting a limit counts them onto the row, under the row's lock, exactly."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from tickets import services
from vouchers.models import Voucher
from vouchers.services import voucher_uses_live

from .test_admin import voucher_form

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["one statement", "steps"])
def writer(request, monkeypatch):
    from tickets import reservation_sql

    if request.param == "steps":
        monkeypatch.setattr(reservation_sql, "SINGLE_STATEMENT_VENDORS", set())
    return request.param


def reserve(user, performance, quantity, code):
    return services.order_reserve(user=user, performance_id=performance.pk, quantity=quantity,
                                  codes=services.CodesRequest(voucher=code))


def test_a_sale_reads_an_unlimited_voucher_and_its_uses_are_its_orders(
        writer, make_user, make_performance, make_voucher):
    performance = make_performance(price_cents=1000)
    voucher = make_voucher(code="NOLIMITCODE1", kind="percent", value=20)
    first = reserve(make_user(), performance, 2, voucher.code)
    reserve(make_user(), performance, 1, voucher.code)
    assert first.lines.get().discount_cents == 400
    voucher.refresh_from_db()
    assert voucher.uses == 0  # not written
    assert voucher_uses_live(voucher_id=voucher.pk) == 3
    services.order_cancel(order_id=first.pk)
    assert voucher_uses_live(voucher_id=voucher.pk) == 1
    voucher.refresh_from_db()
    assert voucher.uses == 0  # nothing to give back on the row, and never below zero


def test_a_limit_set_between_the_read_and_the_sale_counts_that_sale(
        writer, make_user, make_performance, make_voucher, monkeypatch):
    """The sale read the voucher without a limit; staff set one before its statement ran:
    the statement refuses itself (the row is limited now) and the sale is decided again,
    counted. Without the statement's re-check it would be sold uncounted."""
    from vouchers import checkout

    performance = make_performance(price_cents=1000)
    voucher = make_voucher(code="LIMITRACE001", kind="free")
    reserve(make_user(), performance, 2, voucher.code)
    read, reads = checkout.voucher_for, []

    def read_then_limit(**kwargs):
        found = read(**kwargs)
        if not reads:
            with transaction.atomic():
                uses = voucher_uses_live(voucher_id=voucher.pk, lock=True)
                Voucher.objects.filter(pk=voucher.pk).update(max_uses=3, uses=uses)
        reads.append(found.voucher.max_uses)
        return found

    monkeypatch.setattr(checkout, "voucher_for", read_then_limit)
    order = reserve(make_user(), performance, 1, voucher.code)
    assert reads == [None, 3]  # read unlimited, refused by the statement, read again
    assert order.voucher_id == voucher.pk and order.total_cents == 0
    voucher.refresh_from_db()
    assert voucher.uses == voucher_uses_live(voucher_id=voucher.pk) == 3


def test_a_limit_set_by_staff_counts_the_uses_already_taken(
        staff_client, make_user, make_performance, make_voucher):
    performance = make_performance(price_cents=1000)
    voucher = make_voucher(code="LIMITLATER01", kind="free")
    for _ in range(3):
        reserve(make_user(), performance, 1, voucher.code)
    change = f"/admin/vouchers/voucher/{voucher.pk}/change/"
    refused = staff_client.post(change, voucher_form(code=voucher.code, max_uses="2"))
    assert refused.status_code == 200 and "3 uses are already taken" in refused.content.decode()
    assert staff_client.post(change, voucher_form(code=voucher.code, max_uses="4")
                             ).status_code == 302
    voucher.refresh_from_db()
    assert (voucher.max_uses, voucher.uses) == (4, 3)
    reserve(make_user(), performance, 1, voucher.code)
    from vouchers import errors

    with pytest.raises(errors.VoucherUsedUp):
        reserve(make_user(), performance, 1, voucher.code)
    listing = staff_client.get("/admin/vouchers/voucher/").content.decode()
    assert "LIMITLATER01" in listing
    assert staff_client.get("/admin/vouchers/voucher/add/").status_code == 200
    assert staff_client.get(change).status_code == 200
    # The limit lifted again: the row's count is left as it was and no longer moves.
    assert staff_client.post(change, voucher_form(code=voucher.code, max_uses="")
                             ).status_code == 302
    reserve(make_user(), performance, 1, voucher.code)
    voucher.refresh_from_db()
    assert voucher.uses == 4 and voucher_uses_live(voucher_id=voucher.pk) == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_limit_set_during_a_rush_counts_every_use_exactly(
        make_performance, make_voucher, bearer, in_parallel):
    """30 buyers with an unlimited code while staff set a limit of 12 (counting, under the
    row's lock, the uses already taken): afterwards the row's count is its orders' exactly.
    (A smoke test of the rush: the interleaving that needs the statement's re-check is
    forced by the test above.)"""
    assert connection.vendor == "postgresql"
    voucher = make_voucher(code="RUSHLIMIT001", kind="free")
    performance = make_performance(capacity=100, price_cents=2500)
    payload = {"performance": performance.pk, "quantity": 1, "voucher": voucher.code}
    headers = [bearer(f"limit{i}@example.com") for i in range(30)]

    def buy(h):
        def call():
            response = APIClient().post("/api/v1/tickets/", payload, format="json", **h)
            return response.status_code, response.json().get("code")
        return call

    def set_limit():
        with transaction.atomic():
            uses = voucher_uses_live(voucher_id=voucher.pk, lock=True)
            Voucher.objects.filter(pk=voucher.pk).update(max_uses=max(uses, 12), uses=uses)
        return "limit", uses

    calls = [buy(h) for h in headers]
    calls.insert(10, set_limit)
    results = in_parallel(calls)
    voucher.refresh_from_db()
    live = voucher_uses_live(voucher_id=voucher.pk)
    assert voucher.uses == live, (voucher.uses, live, results)
    assert live <= voucher.max_uses
    statuses = Counter(status for status, _ in results if status != "limit")
    assert statuses[201] == live, statuses
    assert {code for status, code in results if status == 409} <= {
        "voucher_used_up", "voucher_invalid"}
