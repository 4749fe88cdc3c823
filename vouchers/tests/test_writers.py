"""Codes through both writers of tickets/reservation_sql.py: the single statement
(PostgreSQL) and the portable steps (SQLite, `make run`)."""

from __future__ import annotations

import pytest

from tickets import services
from vouchers import errors
from vouchers.models import GiftCard, Voucher
from vouchers.selectors import gift_card_ledger_sum

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=["one statement", "steps"])
def writer(request, monkeypatch):
    from tickets import reservation_sql

    if request.param == "steps":
        monkeypatch.setattr(reservation_sql, "SINGLE_STATEMENT_VENDORS", set())
    return request.param


def reserve(user, performance, quantity, **codes):
    return services.order_reserve(user=user, performance_id=performance.pk, quantity=quantity,
                                  codes=services.CodesRequest(**codes))


def test_voucher_uses_taken_refused_and_given_back(make_user, make_performance, make_voucher):
    performance = make_performance(price_cents=1000)
    voucher = make_voucher(code="WRITERS00001", kind="free", max_uses=3)
    order = reserve(make_user(), performance, 2, voucher=voucher.code)
    assert order.total_cents == 0 and order.lines.get().discount_cents == 2000
    Voucher.objects.filter(pk=voucher.pk).update(uses=3)  # a parallel buyer took the rest
    with pytest.raises(errors.VoucherUsedUp):
        services.order_reserve(user=make_user(), performance_id=performance.pk, quantity=1,
                               codes=services.CodesRequest(voucher=voucher.code))
    Voucher.objects.filter(pk=voucher.pk).update(uses=2)
    services.order_cancel(order_id=order.pk)
    voucher.refresh_from_db()
    assert voucher.uses == 0
    performance.refresh_from_db()
    assert performance.seats_sold == 0


def test_a_voucher_deactivated_meanwhile_refuses_the_statement(make_user, make_performance,
                                                               make_voucher, monkeypatch):
    from vouchers import checkout

    performance = make_performance(price_cents=1000)
    voucher = make_voucher(code="WRITERS00002", kind="free")
    read = checkout.voucher_for

    def read_then_deactivate(**kwargs):
        found = read(**kwargs)
        Voucher.objects.filter(pk=voucher.pk).update(active=False)
        return found

    monkeypatch.setattr(checkout, "voucher_for", read_then_deactivate)
    with pytest.raises(errors.VoucherInvalid):
        reserve(make_user(), performance, 1, voucher=voucher.code)
    performance.refresh_from_db()
    assert performance.seats_sold == 0


def test_a_gift_card_drained_meanwhile_is_read_again(make_user, make_performance,
                                                     make_gift_card, monkeypatch):
    from vouchers import checkout

    performance = make_performance(price_cents=1000)
    card = make_gift_card(amount_cents=5000)
    read = checkout.gift_card_for
    calls = []

    def read_then_drain(**kwargs):
        found = read(**kwargs)
        if not calls:  # a parallel checkout takes 45.00 after this read
            GiftCard.objects.filter(pk=card.pk).update(balance_cents=500)
        calls.append(found.balance_cents)
        return found

    monkeypatch.setattr(checkout, "gift_card_for", read_then_drain)
    order = services.order_reserve(user=make_user(), performance_id=performance.pk,
                                   quantity=1, paid_at_box_office=True,
                                   codes=services.CodesRequest(gift_card=card.code))
    assert calls == [5000, 500] and order.paid_by_gift_card_cents == 500
    card.refresh_from_db()
    assert card.balance_cents == 0
    # issue 50.00, redeem 5.00 (the simulated drain of 45.00 wrote no ledger row)
    assert gift_card_ledger_sum(gift_card_id=card.pk) == 4500
