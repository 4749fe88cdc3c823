"""The voucher's discount rules (vouchers/pricing.py), written down once."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from vouchers.models import Voucher
from vouchers.pricing import seat_discount, voucher_apply


@dataclass
class L:
    category_id: int
    quantity: int
    unit_price_cents: int


@pytest.mark.parametrize(("kind", "value", "price", "off"), [
    ("percent", 20, 3250, 650), ("percent", 15, 999, 150),  # 149.85 → 150 (half up)
    ("percent", 100, 1234, 1234), ("percent", 0, 1000, 0),
    ("amount", 500, 3250, 500), ("amount", 5000, 3250, 3250),
    ("fixed", 1000, 3250, 2250), ("fixed", 5000, 3250, 0),
    ("free", 0, 3250, 3250),
])
def test_seat_discount(kind, value, price, off):
    assert seat_discount(Voucher(kind=kind, value=value), price) == off


def test_max_per_order_discounts_the_dearest_seats_and_counts_uses_per_seat():
    voucher = Voucher(kind="free", max_per_order=3, uses_per="seat")
    applied = voucher_apply(voucher, [L(1, 2, 1000), L(2, 2, 3000)], scope=None)
    assert applied.discounts == [1000, 6000] and applied.seats == 3 and applied.uses == 3


def test_scope_and_uses_per_order():
    voucher = Voucher(kind="percent", value=50, uses_per="order")
    applied = voucher_apply(voucher, [L(1, 2, 1000), L(2, 2, 3000)], scope={1})
    assert applied.discounts == [1000, 0] and applied.uses == 1
    assert voucher_apply(voucher, [L(2, 1, 3000)], scope={1}).uses == 0


def test_random_codes_are_long_and_without_look_alikes():
    from vouchers.codes import ALPHABET, code_normalize, code_random

    codes = {code_random() for _ in range(200)}
    assert len(codes) == 200 and all(len(c) >= 10 for c in codes)
    assert not set("".join(codes)) - set(ALPHABET)
    assert not set("0O1IL2Z5S8BUV") & set(ALPHABET)
    assert code_normalize(" abcd-efgh jk ") == "ABCDEFGHJK"
