"""Staff create vouchers one by one or many at a time, export them as CSV, see their
redemptions; issue gift cards and correct them with a reason; the dashboard's figures."""

from __future__ import annotations

import csv
import io

import pytest

from tickets import services
from vouchers.codes import ALPHABET
from vouchers.models import GiftCard, GiftCardTransaction, Voucher
from vouchers.selectors import discounts_given, gift_card_liability

pytestmark = [pytest.mark.django_db]

ADD = "/admin/vouchers/voucher/add/"


def voucher_form(**fields):
    form = {"code": "", "kind": "percent", "value": "20", "uses_per": "seat", "active": "on",
            "count": "1", "comment": "", "orders-TOTAL_FORMS": "0",
            "orders-INITIAL_FORMS": "0"}
    form.update(fields)
    return form


def test_many_random_vouchers_then_csv(staff_client):
    response = staff_client.post(ADD, voucher_form(count="25", max_uses="1",
                                                   comment="newsletter"))
    assert response.status_code == 302, response.content[:2000]
    vouchers = list(Voucher.objects.all())
    assert len(vouchers) == 25 and len({v.code for v in vouchers}) == 25
    assert all(len(v.code) >= 10 and not set(v.code) - set(ALPHABET) for v in vouchers)
    assert {(v.value, v.max_uses, v.comment) for v in vouchers} == {(20, 1, "newsletter")}
    export = staff_client.post("/admin/vouchers/voucher/", {
        "action": "export_csv", "_selected_action": [v.pk for v in vouchers]})
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    assert export["Content-Type"].startswith("text/csv")
    assert sorted(r["code"] for r in rows) == sorted(v.code for v in vouchers)


def test_a_chosen_code_is_stored_upper_case(staff_client):
    response = staff_client.post(ADD, voucher_form(code="summer-friends 2026"))
    assert response.status_code == 302
    assert Voucher.objects.get().code == "SUMMERFRIENDS2026"


def test_redemptions_are_listed(staff_client, make_user, make_performance):
    voucher = Voucher.objects.create(code="LISTEDUSES01", kind="free")
    performance = make_performance(price_cents=1000)
    order = services.order_reserve(user=make_user(), performance_id=performance.pk,
                                   quantity=2, codes=services.CodesRequest(voucher="listeduses01"))
    page = staff_client.get(f"/admin/vouchers/voucher/{voucher.pk}/change/")
    assert str(order.pk) in page.content.decode() or str(order.pk)[:8] in page.content.decode()
    assert discounts_given() == {"EUR": 2000}
    dashboard = staff_client.get("/admin/staff/salesdashboard/")
    summary = dashboard.content.decode().split('id="codes-summary"')[1].split("</p>")[0]
    assert "20.00 EUR" in summary and "0.00 EUR" in summary


def test_gift_cards_issued_and_corrected_with_a_reason(staff_client):
    response = staff_client.post("/admin/vouchers/giftcard/add/", {
        "code": "", "currency": "EUR", "expires_at_0": "2029-12-31", "expires_at_1": "12:00:00",
        "recipient_email": "", "message": "", "comment": "counter", "amount_cents": "5000",
        "reason": "", "ledger-TOTAL_FORMS": "0", "ledger-INITIAL_FORMS": "0"})
    assert response.status_code == 302, response.content[:3000]
    card = GiftCard.objects.get()
    assert card.balance_cents == 5000 and len(card.code) >= 10
    change = f"/admin/vouchers/giftcard/{card.pk}/change/"
    form = {"code": card.code, "currency": "EUR", "expires_at_0": "2029-12-31",
            "expires_at_1": "12:00:00", "recipient_email": "", "message": "",
            "comment": "counter", "amount_cents": "-1500", "reason": "",
            "ledger-TOTAL_FORMS": "1", "ledger-INITIAL_FORMS": "1"}
    assert staff_client.post(change, form).status_code == 200  # no reason: refused
    assert staff_client.post(change, {**form, "reason": "sold by mistake"}).status_code == 302
    card.refresh_from_db()
    assert card.balance_cents == 3500
    assert list(GiftCardTransaction.objects.values_list("kind", "amount_cents")) == [
        ("issue", 5000), ("correction", -1500)]
    assert gift_card_liability() == {"EUR": 3500}


@pytest.mark.parametrize(("role", "allowed"), [("Manager", True), ("Box office", False)])
def test_managers_run_vouchers_and_the_counter_does_not(client, make_staff, role, allowed):
    staff = make_staff(role)
    client.force_login(staff)
    voucher = Voucher.objects.create(code="ROLEBOUND001", kind="percent", value=10)
    export = client.post("/admin/vouchers/voucher/", {
        "action": "export_csv", "_selected_action": [voucher.pk]})
    assert export.status_code == (200 if allowed else 403)
    if allowed:
        assert export["Content-Type"].startswith("text/csv")
    assert (client.get("/admin/vouchers/giftcard/").status_code == 200) is allowed
