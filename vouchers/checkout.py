"""What codes contribute to a reservation, decided before its statement is written.

A voucher: the discount of each line, the hidden categories it reveals, the uses it
takes. A gift card: how much of the total it pays. The reservation statement
(tickets/reservation_sql.py) then takes the voucher's uses and the card's amount in the
same statement as the seats, where CHECK constraints make them exact under concurrency
(`Voucher.uses ≤ max_uses`, `GiftCard.balance_cents ≥ 0`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from shows.models import Performance, PriceCategory

from . import errors, selectors
from .models import GiftCard, Voucher
from .pricing import Applied, Line, voucher_apply


@dataclass(frozen=True)
class VoucherUse:
    voucher: Voucher
    scope: set[int] | None  # category ids, or None: every category of its performances

    def reveals(self, category: PriceCategory) -> bool:
        return self.voucher.reveal_hidden and (self.scope is None
                                               or category.pk in self.scope)


def voucher_for(*, code: str, performance: Performance, now: dt.datetime) -> VoucherUse:
    """The voucher of `code` if it may be used for `performance` now, or raise
    VoucherInvalid / VoucherNotApplicable / VoucherUsedUp. Read with the performance when
    it was (its `also`: selectors.voucher_read), else now."""
    found = selectors.voucher_found(performance.also) if hasattr(performance, "also") \
        else selectors.voucher_by_code(code=code)
    if found is None or not found[0].valid_at(now):
        raise errors.VoucherInvalid()
    voucher, scope = found
    if (voucher.performance_id is not None and voucher.performance_id != performance.pk) or (
            voucher.show_id is not None and voucher.show_id != performance.show_id):
        raise errors.VoucherNotApplicable()
    if scope is not None and not scope & {c.pk for c in _categories(performance)}:
        raise errors.VoucherNotApplicable()
    if voucher.uses_left == 0:
        raise errors.VoucherUsedUp()
    return VoucherUse(voucher=voucher, scope=scope)


def voucher_on_lines(use: VoucherUse, lines: Sequence[Line]) -> Applied:
    """The voucher applied to the order's lines, or raise: no seat in its scope
    (VoucherNotApplicable), more uses than it has left (VoucherUsedUp)."""
    applied = voucher_apply(use.voucher, lines, scope=use.scope)
    if not applied.seats:
        raise errors.VoucherNotApplicable()
    left = use.voucher.uses_left
    if left is not None and applied.uses > left:
        raise errors.VoucherUsedUp(f"This voucher has {left} use(s) left.", uses_left=left)
    return applied


def revealed_categories(use: VoucherUse, performance: Performance) -> list[PriceCategory]:
    return [c for c in _categories(performance) if c.hidden and use.reveals(c)]


def gift_card_for(*, code: str, currency: str, now: dt.datetime) -> GiftCard:
    card = selectors.gift_card_by_code(code=code)
    if card is None or card.expires_at <= now or card.currency != currency:
        raise errors.GiftCardInvalid()
    if card.balance_cents <= 0:
        raise errors.GiftCardEmpty()
    return card


def _categories(performance: Performance) -> list[PriceCategory]:
    found = getattr(performance, "sale_categories", None)
    return list(performance.categories.all()) if found is None else found


def gift_card_by_code_valid(*, code: str, now: dt.datetime) -> GiftCard:
    """A gift card for its balance (zero too), or GiftCardInvalid (unknown, expired)."""
    card = selectors.gift_card_by_code(code=code)
    if card is None or card.expires_at <= now:
        raise errors.GiftCardInvalid()
    return card
