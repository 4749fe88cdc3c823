"""Domain errors of the languages app."""

from django.utils.translation import gettext_lazy as _

from project.errors import DomainError


class LanguagesError(DomainError):
    pass


class UnsupportedLanguage(LanguagesError):
    status, code, title = 422, "invalid", _("Invalid request")
    default_detail = _("Marquee speaks French (fr) and English (en).")
