"""System checks for configuration an operator can get wrong (`manage.py check --deploy`)."""

from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_token_verification(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.LOCAL_ISSUER_ENABLED:
        return []
    errors = []
    if not settings.COGNITO_ISSUER:
        errors.append(checks.Error(
            "COGNITO_ISSUER is not set: no signed-in request can be verified.",
            hint="https://cognito-idp.<region>.amazonaws.com/<user pool id>",
            id="marquee.E001"))
    if not settings.COGNITO_CLIENT_IDS:
        errors.append(checks.Error(
            "COGNITO_CLIENT_IDS is empty: every token would be refused.",
            hint="The app client id(s) of the SPA, comma-separated.", id="marquee.E002"))
    if settings.COGNITO_JWKS_URL and not settings.COGNITO_JWKS_URL.startswith("https://"):
        errors.append(checks.Error("COGNITO_JWKS_URL must use HTTPS.", id="marquee.E003"))
    return errors


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.DEBUG or settings.LOCAL_ISSUER_ENABLED or settings.REDIS_URL:
        return []
    return [checks.Warning(
        "REDIS_URL is not set: each Lambda instance caches and throttles on its own, so "
        "a staff edit is not seen by other instances until their cache expires and "
        "throttles do not hold across instances.", id="marquee.W001")]
