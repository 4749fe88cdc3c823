"""Reads of vouchers and gift cards: by code, for the checkout and the previews."""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Any

from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .codes import code_normalize
from .models import GiftCard, GiftCardTransaction, LedgerKind, Voucher

_VOUCHER_FIELDS = [f.column for f in Voucher._meta.concrete_fields]
_CATEGORY_IDS = {  # the voucher's categories ride along (no second query)
    "postgresql": "(SELECT array_agg(c.pricecategory_id) FROM {m2m} c WHERE c.voucher_id = v.id)",
    "sqlite": "(SELECT group_concat(c.pricecategory_id) FROM {m2m} c WHERE c.voucher_id = v.id)",
}
# One value: the voucher's columns and its category ids as a JSON array, or NULL.
_VOUCHER_SQL = "(SELECT {array}({cols}, {categories}) FROM {table} v WHERE v.code = %s)"
_ARRAY = {"postgresql": "json_build_array", "sqlite": "json_array"}
Found = tuple[Voucher, set[int] | None]


def voucher_read(*, code: str) -> tuple[str, list[Any]]:
    """The lookup of `code`'s voucher as a scalar subquery (SQL, parameters): the checkout
    reads it in the performance's query (shows.selectors.performance_for_sale's `also`),
    one round trip for both; voucher_found() makes the voucher of its value."""
    return _voucher_sql(connection.vendor), [code_normalize(code)]


@functools.cache
def _voucher_sql(vendor: str) -> str:
    vendor = vendor if vendor in _ARRAY else "sqlite"
    return _VOUCHER_SQL.format(
        array=_ARRAY[vendor], cols=", ".join(f"v.{c}" for c in _VOUCHER_FIELDS),
        table=Voucher._meta.db_table,
        categories=_CATEGORY_IDS[vendor].format(m2m=Voucher.categories.through._meta.db_table))


def voucher_by_code(*, code: str) -> Found | None:
    """The voucher and its scope's category ids (None: no category limit), in one query,
    whether the code exists or not: the same indexed lookup answers both, so a miss is no
    faster than a hit. Hand-written, as shows.selectors.performance_for_sale: on the
    reservation's hot path the ORM's compilation costs more than the query."""
    sql, params = voucher_read(code=code)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {sql}", params)
        return voucher_found(cursor.fetchone()[0])


def voucher_found(value: Any) -> Found | None:
    """The voucher of voucher_read's value (a JSON array, or text of one), or None."""
    if value is None:
        return None
    if isinstance(value, str):  # SQLite's JSON is text
        value = json.loads(value)
    values = value[:-1]
    for i in _DATETIMES:
        values[i] = _aware(values[i])
    # As the ORM makes a row's instance (positional: much faster than keywords).
    voucher = Voucher.from_db(connection.alias, _ATTNAMES, values)
    categories = value[-1]
    if isinstance(categories, str):  # SQLite: "1,2"
        categories = [int(c) for c in categories.split(",") if c]
    return voucher, set(categories) if categories else None


_ATTNAMES = [f.attname for f in Voucher._meta.concrete_fields]
_DATETIMES = [i for i, f in enumerate(Voucher._meta.concrete_fields)
              if f.get_internal_type() == "DateTimeField"]


def _aware(value: Any) -> dt.datetime | None:
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, dt.UTC)
    return value


def gift_card_by_code(*, code: str) -> GiftCard | None:
    return GiftCard.objects.filter(code=code_normalize(code)).first()


def gift_card_ledger_sum(*, gift_card_id: int) -> int:
    return GiftCardTransaction.objects.filter(gift_card_id=gift_card_id).aggregate(
        s=Sum("amount_cents"))["s"] or 0


def discounts_given(*, since: dt.datetime | None = None) -> dict[str, int]:
    """Cents of discount per currency on orders whose voucher use was not given back (read
    through the vouchers' reverse relation: vouchers does not import tickets)."""
    # One filter() call: its conditions and the sum then share one join of the orders.
    conditions: dict[str, Any] = {"orders__voucher_released_at__isnull": True}
    if since is not None:
        conditions["orders__created_at__gte"] = since
    totals = (Voucher.objects.filter(**conditions).values("orders__currency")
              .annotate(s=Sum("orders__voucher_discount_cents")).order_by())
    return {row["orders__currency"]: row["s"] or 0 for row in totals}


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
