"""Stripe's secrets: from the environment in dev and tests, from Secrets Manager in production.

Read on first use, never at import (house style 7): the secret ARN's JSON holds
`secret_key` and `webhook_secret`; project.aws caches it once per cold start (or restore).
"""

from __future__ import annotations

from django.conf import settings


def _from_secret(field: str) -> str:
    from project import aws

    return str(aws.secret_json(settings.STRIPE_SECRET_ARN)[field])


def secret_key() -> str:
    """The API secret key (sk_…)."""
    return settings.STRIPE_SECRET_KEY or (
        _from_secret("secret_key") if settings.STRIPE_SECRET_ARN else "")


def webhook_secret() -> str:
    """The signing secret of our webhook endpoint (whsec_…)."""
    return settings.STRIPE_WEBHOOK_SECRET or (
        _from_secret("webhook_secret") if settings.STRIPE_SECRET_ARN else "")
