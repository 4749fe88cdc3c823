"""The venue's formats on the server (emails, staff pages): dates and money in the active
language. The SPA does the same with Intl (frontend/src/format.ts)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import translation
from django.utils.dateformat import format as date_format
from django.utils.formats import number_format
from django.utils.translation import gettext as _

SYMBOLS = {"EUR": "€", "GBP": "£", "USD": "$", "CHF": "CHF"}


def _french() -> bool:
    return (translation.get_language() or "").startswith("fr")


def time_format() -> str:
    """19 h 30 in French; 19:30 in English, or 7:30 PM unless the venue says 24 hours."""
    if _french():
        return r"G \h i"
    return "H:i" if settings.VENUE_24_HOUR else "g:i A"


def when(value: dt.datetime, *, weekday: bool = True, year: bool = True) -> str:
    """"samedi 12 décembre 2026, 19 h 30" / "Saturday 12 December 2026, 19:30" (the value
    already in the venue's time zone)."""
    day = ("l " if weekday else "") + "j F" + (" Y" if year else "")
    return date_format(value, f"{day}, {time_format()}")


def money(cents: int, currency: str) -> str:
    """"65,00 €" in French, "65.00 EUR" in English; "Free"/"Gratuit" for nothing."""
    if cents == 0:
        return _("Free")
    amount = cents / 100
    if _french():
        number = number_format(amount, 2, use_l10n=True, force_grouping=True)
        return f"{number}\u00a0{SYMBOLS.get(currency, currency)}"
    return f"{amount:,.2f} {currency}"
