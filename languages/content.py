"""Show and info content in both languages.

The model's own columns (title, summary, …) hold the text in the venue's language; a
`translations` JSON column holds the other language's, as {"en": {"title": …}}. A reader
gets the text of the request's language, else the venue's (a missing translation falls
back). One column and no join: the public pages read what they read before.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .selectors import active_language


def translations_field() -> models.JSONField:
    return models.JSONField(
        _("translations"), default=dict, blank=True,
        help_text=_("The text in other languages, by language: "
                    '{"en": {"title": "…"}}. Empty: the venue\'s language is shown.'))


class TranslatedContent:
    """For a model with a `translations` JSONField."""

    translations: Any

    def translated(self, field: str, language: str | None = None) -> str:
        language = language or active_language()
        found = as_dict(self.translations).get(language)
        text = found.get(field) if isinstance(found, dict) else None
        return text if isinstance(text, str) and text.strip() else getattr(self, field)


def as_dict(value: Any) -> dict[str, Any]:
    if isinstance(value, str):  # SQLite through raw SQL: the JSON text
        try:
            value = json.loads(value)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def other_languages() -> list[tuple[str, str]]:
    """The languages besides the venue's: those the translations column holds."""
    return [(code, name) for code, name in settings.LANGUAGES
            if code != settings.LANGUAGE_CODE]
