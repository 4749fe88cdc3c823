"""What a voucher does to an order's lines: the one place its discounts are computed.

Rounding rule (written down once): a percentage is taken of each seat's price and rounded
half up to the cent, `(price x percent + 50) // 100`. An amount off is per seat and never
more than the seat's price; a fixed price lowers a seat to it (never raises it); free
takes the whole price. At most `max_per_order` seats are discounted (the dearest first),
and only seats of categories in the voucher's scope.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from .models import UsesCountedPer, Voucher, VoucherKind


class Line(Protocol):
    category_id: int
    quantity: int
    unit_price_cents: int


@dataclass(frozen=True)
class Applied:
    """A voucher applied to lines: the discount of each line (same order), and the uses
    it takes."""

    discounts: list[int]
    seats: int  # seats discounted (in scope)
    uses: int

    @property
    def discount_cents(self) -> int:
        return sum(self.discounts)


def seat_discount(voucher: Voucher, price_cents: int) -> int:
    if voucher.kind == VoucherKind.PERCENT:
        return min((price_cents * voucher.value + 50) // 100, price_cents)
    if voucher.kind == VoucherKind.AMOUNT:
        return min(voucher.value, price_cents)
    if voucher.kind == VoucherKind.FIXED:
        return max(price_cents - voucher.value, 0)
    return price_cents  # free


def voucher_apply(voucher: Voucher, lines: Sequence[Line], *,
                  scope: set[int] | None) -> Applied:
    """`scope`: the category ids it applies to (None: all of the order's)."""
    discounts = [0] * len(lines)
    left = voucher.max_per_order if voucher.max_per_order is not None else 10**6
    seats = 0
    dearest_first = sorted(range(len(lines)), key=lambda i: -lines[i].unit_price_cents)
    for i in dearest_first:
        line = lines[i]
        if scope is not None and line.category_id not in scope:
            continue
        n = min(line.quantity, left)
        if n <= 0:
            break
        discounts[i] = n * seat_discount(voucher, line.unit_price_cents)
        seats += n
        left -= n
    uses = (1 if seats else 0) if voucher.uses_per == UsesCountedPer.ORDER else seats
    return Applied(discounts=discounts, seats=seats, uses=uses)
