"""Reads of vouchers and gift cards: by code, for the checkout and the previews."""

from __future__ import annotations

import datetime as dt

from django.db.models import Sum

from .codes import code_normalize
from .models import GiftCard, GiftCardTransaction, LedgerKind, Voucher, VoucherRedemption

_VOUCHER_FIELDS = [f.attname for f in Voucher._meta.concrete_fields]


def voucher_by_code(*, code: str) -> tuple[Voucher, set[int] | None] | None:
    """The voucher and its scope's category ids (None: no category limit), in one query
    (a LEFT JOIN on its categories), whether the code exists or not: the same indexed
    lookup answers both, so a miss is no faster than a hit."""
    rows = list(Voucher.objects.filter(code=code_normalize(code))
                .values_list(*_VOUCHER_FIELDS, "categories"))
    if not rows:
        return None
    voucher = Voucher(**dict(zip(_VOUCHER_FIELDS, rows[0][:-1], strict=True)))
    voucher._state.adding = False
    categories = {row[-1] for row in rows if row[-1] is not None}
    return voucher, categories or None


def gift_card_by_code(*, code: str) -> GiftCard | None:
    return GiftCard.objects.filter(code=code_normalize(code)).first()


def gift_card_ledger_sum(*, gift_card_id: int) -> int:
    return GiftCardTransaction.objects.filter(gift_card_id=gift_card_id).aggregate(
        s=Sum("amount_cents"))["s"] or 0


def discounts_given(*, since: dt.datetime | None = None) -> dict[str, int]:
    """Cents of discount per currency on orders whose voucher use was not given back."""
    found = VoucherRedemption.objects.filter(released_at__isnull=True)
    if since is not None:
        found = found.filter(created_at__gte=since)
    totals = found.values("order__currency").annotate(s=Sum("discount_cents"))
    return {row["order__currency"]: row["s"] or 0 for row in totals}


def gift_card_liability() -> dict[str, int]:
    """Issued minus redeemed minus expired (refunds and corrections count), in cents, per
    currency: what the venue still owes its gift-card holders."""
    totals = (GiftCardTransaction.objects.values("gift_card__currency")
              .annotate(s=Sum("amount_cents")))
    return {row["gift_card__currency"]: row["s"] or 0 for row in totals}


def gift_card_totals_by_kind() -> dict[str, int]:
    totals = GiftCardTransaction.objects.values("kind").annotate(s=Sum("amount_cents"))
    found = {row["kind"]: row["s"] or 0 for row in totals}
    return {kind: found.get(kind, 0) for kind in LedgerKind.values}
