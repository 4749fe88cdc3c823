"""Codes at checkout: what a voucher and a gift card change in a reservation.

Decided before the reservation statement (vouchers.checkout reads the codes, one query
each): the lines with their discounts, the hidden categories the voucher reveals, the
uses it takes, the gift card's part of the total. The statement then takes the uses and
the amount beside the seats (reservation_sql._VOUCHER_STEPS, _GIFT_STEPS); what a
parallel checkout took meanwhile aborts it, and is answered here (codes_failure).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from shows.models import Performance
from vouchers import checkout
from vouchers import errors as voucher_errors
from vouchers.models import GiftCard

from . import errors
from .lines import LineRequest, lines_build
from .models import OrderLine
from .reservation_sql import Codes, Failure


@dataclass(frozen=True)
class CodesRequest:
    voucher: str | None = None
    gift_card: str | None = None


@dataclass(frozen=True)
class Decided:
    lines: list[OrderLine]
    reveal: bool
    voucher: checkout.VoucherUse | None
    voucher_uses: int
    gift_card: GiftCard | None
    gift_amount: int

    @property
    def codes(self) -> Codes:
        voucher = self.voucher.voucher if self.voucher else None
        return Codes(voucher_id=voucher.pk if voucher else None,
                     voucher_uses=self.voucher_uses,
                     voucher_discount=sum(line.discount_cents for line in self.lines),
                     gift_card_id=self.gift_card.pk if self.gift_card else None,
                     gift_amount=self.gift_amount,
                     voucher_counted=voucher is None or voucher.max_uses is not None)

    def with_fresh_gift_card(self, *, total: int, now: dt.datetime) -> Decided:
        """After a parallel checkout drained the card: its balance read again (or
        GiftCardEmpty)."""
        assert self.gift_card is not None  # noqa: S101 — only a gift card's CHECK fails so
        card = checkout.gift_card_for(code=self.gift_card.code,
                                      currency=self.gift_card.currency, now=now)
        return dataclasses.replace(self, gift_card=card,
                                   gift_amount=min(card.balance_cents, total))


def codes_decide(codes: CodesRequest | None, *, performance: Performance,
                 lines: list[LineRequest], now: dt.datetime) -> Decided | None:
    """The order's lines with the voucher's discounts and the gift card's part, or None
    without codes; raises a VouchersError (or a TicketsError for the lines)."""
    if codes is None or not (codes.voucher or codes.gift_card):
        return None
    use = checkout.voucher_for(code=codes.voucher, performance=performance, now=now) \
        if codes.voucher else None
    reveal = bool(use and use.voucher.reveal_hidden)
    order_lines = lines_build(performance, lines, reveal=reveal)
    uses = 0
    if use is not None:
        for line in order_lines:
            if line.category.hidden and not use.reveals(line.category):
                raise errors.CategoryNotFound(category=line.category_id)
        applied = checkout.voucher_on_lines(use, order_lines)
        for line, discount in zip(order_lines, applied.discounts, strict=True):
            line.discount_cents = discount
        uses = applied.uses
    card, amount = None, 0
    if codes.gift_card:
        card = checkout.gift_card_for(code=codes.gift_card, currency=performance.currency,
                                      now=now)
        total = sum(line.quantity * line.unit_price_cents - line.discount_cents
                    for line in order_lines)
        amount = min(card.balance_cents, total)
    return Decided(lines=order_lines, reveal=reveal, voucher=use, voucher_uses=uses,
                   gift_card=card, gift_amount=amount)


def codes_failure(failure: Failure) -> voucher_errors.VouchersError | None:
    if failure is Failure.VOUCHER_USED_UP:
        return voucher_errors.VoucherUsedUp()
    if failure is Failure.VOUCHER_CHANGED:
        return voucher_errors.VoucherInvalid()
    if failure is Failure.GIFT_CARD_SHORT:  # drained again and again: try once more
        return voucher_errors.GiftCardEmpty(
            _("The gift card's balance changed while reserving; please try again."))
    return None



