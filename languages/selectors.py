"""Which language a customer reads, and the languages Marquee speaks."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from .models import CustomerLanguage


def venue_language() -> str:
    """The venue's language: the default for everyone who has not chosen, and the
    fallback of show content with no translation."""
    return settings.LANGUAGE_CODE


def supported_language(code: str | None) -> str:
    """`code` reduced to one Marquee speaks ("fr-CA" → "fr"), else the venue's."""
    base = (code or "").split("-")[0].lower()
    return base if base in dict(settings.LANGUAGES) else venue_language()


def active_language() -> str:
    """The current request's language (LocaleMiddleware), as "fr" or "en"."""
    return supported_language(translation.get_language())


def customer_language(*, customer_id: int) -> str:
    """The customer's chosen language, else the venue's (emails follow it)."""
    chosen = (CustomerLanguage.objects.filter(customer_id=customer_id)
              .values_list("language", flat=True).first())
    return chosen or venue_language()
