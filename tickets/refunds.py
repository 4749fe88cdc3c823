"""What a cancelled order gives back: the refund rule of its performance (or show).

Customers may cancel until `hours_before` the start, when their policy lets them at all;
the fee is `fee_fixed_cents` plus `fee_percent` of the order's total, the percent part
rounded to the nearest cent with halves up (12.5 ¢ → 13 ¢), never more than the total.
Staff always cancel with a full refund.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from shows.models import Performance, RefundPolicy

from . import errors


@dataclass(frozen=True)
class RefundQuote:
    refund_cents: int
    fee_cents: int


def cancel_until(performance: Performance) -> dt.datetime | None:
    """The last moment a customer may cancel; None when they may not at all."""
    policy = performance.refund_terms()
    if not policy.customer_may_cancel:
        return None
    return performance.starts_at - dt.timedelta(hours=policy.hours_before)


def refund_quote(*, performance: Performance, total_cents: int, by_staff: bool,
                 now: dt.datetime) -> RefundQuote:
    """The refund and fee of cancelling an order of `total_cents` now, or raise
    CancellationClosed (customers only)."""
    if by_staff:
        return RefundQuote(refund_cents=total_cents, fee_cents=0)
    until = cancel_until(performance)
    if until is None or now >= until:
        raise errors.CancellationClosed(cancel_until=until.isoformat() if until else None)
    fee = cancellation_fee(performance.refund_terms(), total_cents)
    return RefundQuote(refund_cents=total_cents - fee, fee_cents=fee)


@dataclass(frozen=True)
class RefundSplit:
    """A refund shared between an order's two ways of paying: the fee is kept from the
    card payment first, then from the gift card's part."""
    card_cents: int       # back to the card (Stripe)
    gift_card_cents: int  # back to the gift card (its ledger)
    gift_card_kept_cents: int  # of the fee, what the card part did not cover


def refund_split(*, total_cents: int, paid_by_gift_card_cents: int,
                 fee_cents: int) -> RefundSplit:
    card_part = total_cents - paid_by_gift_card_cents
    card_fee = min(fee_cents, card_part)
    gift_fee = min(fee_cents - card_fee, paid_by_gift_card_cents)
    return RefundSplit(card_cents=card_part - card_fee,
                       gift_card_cents=paid_by_gift_card_cents - gift_fee,
                       gift_card_kept_cents=gift_fee)


def cancellation_fee(policy: RefundPolicy, total_cents: int) -> int:
    percent = (Decimal(total_cents) * Decimal(policy.fee_percent) / 100).quantize(
        Decimal(1), rounding=ROUND_HALF_UP)
    return min(policy.fee_fixed_cents + int(percent), total_cents)
