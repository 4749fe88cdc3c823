"""Fixtures of the vouchers tests: a voucher and a gift card made as staff would."""

from __future__ import annotations

import itertools

import pytest

_n = itertools.count(1)


@pytest.fixture
def make_voucher():
    from vouchers.models import Voucher

    def make(categories=(), **fields):
        fields.setdefault("code", f"TESTCODE{next(_n):04d}")
        fields.setdefault("kind", "percent")
        fields.setdefault("value", 20)
        voucher = Voucher.objects.create(**fields)
        if categories:
            voucher.categories.set(categories)
        return voucher
    return make


@pytest.fixture
def make_gift_card():
    from vouchers.services import gift_card_issue

    def make(amount_cents=5000, **fields):
        return gift_card_issue(amount_cents=amount_cents, **fields)
    return make
