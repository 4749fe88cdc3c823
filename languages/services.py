"""Writes of the languages app."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

from .errors import UnsupportedLanguage
from .models import CustomerLanguage, Language


def customer_language_set(*, customer: AbstractBaseUser, language: str) -> CustomerLanguage:
    """Remember the language the customer chose (the SPA's switcher)."""
    if language not in Language.values:
        raise UnsupportedLanguage()
    with transaction.atomic(durable=True):
        chosen, _ = CustomerLanguage.objects.update_or_create(
            customer=customer, defaults={"language": language})
    return chosen
