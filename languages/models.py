"""The language each customer reads Marquee in (the SPA's switcher stores it here)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    FRENCH = "fr", "Français"
    ENGLISH = "en", "English"


class CustomerLanguage(models.Model):
    # Its own table, not a column on the user: Django's user model stays the stock one.
    customer = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                    primary_key=True, related_name="language",
                                    verbose_name=_("customer"))
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer language")
        verbose_name_plural = _("customer languages")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.language}"
