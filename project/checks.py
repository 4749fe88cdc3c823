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
    if settings.THROTTLE_STORE == "state-table":  # profile small: throttles in DynamoDB
        return []
    return [checks.Warning(
        "REDIS_URL is not set: each Lambda instance caches and throttles on its own, so "
        "a staff edit is not seen by other instances until their cache expires and "
        "throttles do not hold across instances.", id="marquee.W001")]


def _https(url: str) -> bool:
    return url.startswith("https://")


@checks.register(checks.Tags.security, deploy=True)
def check_payments(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """Stripe in production (issue 12): the secrets in Secrets Manager, HTTPS to Stripe."""
    if settings.LOCAL_ISSUER_ENABLED:  # dev and test: localstripe, keys in settings
        return []
    messages = []
    publishable = settings.STRIPE_PUBLISHABLE_KEY
    if not publishable:
        messages.append(checks.Error(
            "STRIPE_PUBLISHABLE_KEY is not set: the SPA cannot collect a card.",
            hint="pk_live_… from Stripe's dashboard, in aws_environment_variables.",
            id="marquee.E004"))
    elif not publishable.startswith("pk_"):
        messages.append(checks.Error(
            "STRIPE_PUBLISHABLE_KEY is not a publishable key (pk_…): it is sent to every "
            "browser, so a secret or restricted key there would be published.",
            hint="Roll the key in Stripe's dashboard if a secret key was exposed.",
            id="marquee.E008"))
    arn = settings.STRIPE_SECRET_ARN
    if not arn and not settings.STRIPE_SECRET_KEY:
        messages.append(checks.Error(
            "Neither STRIPE_SECRET_ARN nor STRIPE_SECRET_KEY is set: no payment can be "
            "taken, every paid reservation would answer 503.",
            hint='The Secrets Manager secret {"secret_key": "sk_…", "webhook_secret": '
                 '"whsec_…"} (DEPLOY.md, "Stripe").', id="marquee.E005"))
    if not arn and not settings.STRIPE_WEBHOOK_SECRET:
        messages.append(checks.Error(
            "Neither STRIPE_SECRET_ARN nor STRIPE_WEBHOOK_SECRET is set: no Stripe webhook "
            "can be verified, so no payment would confirm its order.",
            hint="Copy the endpoint's signing secret (whsec_…) into the Stripe secret.",
            id="marquee.E007"))
    plain = [name for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET")
             if getattr(settings, name)]
    if plain:
        messages.append(checks.Warning(
            f"{' and '.join(plain)} {'is' if len(plain) == 1 else 'are'} set in the "
            "environment: Stripe's secrets belong in Secrets Manager (STRIPE_SECRET_ARN), "
            "which only the execution role can read; the environment is visible to anyone "
            "who can read the function's configuration, and it wins over the secret.",
            hint="Move the value into the Stripe secret and remove the variable.",
            id="marquee.W002"))
    if not _https(settings.STRIPE_API_BASE):
        messages.append(checks.Error(
            f"STRIPE_API_BASE ({settings.STRIPE_API_BASE!r}) must use HTTPS: the secret key "
            "is sent with every call.", hint="https://api.stripe.com", id="marquee.E006"))
    if not settings.STRIPE_JS_URL.startswith("https://js.stripe.com/"):
        messages.append(checks.Warning(
            f"STRIPE_JS_URL ({settings.STRIPE_JS_URL!r}) is not on https://js.stripe.com/: "
            "Stripe requires stripe.js to be loaded from there, and the CloudFront "
            "Content-Security-Policy allows no other script origin.",
            hint="https://js.stripe.com/v3/ (the default)", id="marquee.W003"))
    return messages


@checks.register(checks.Tags.security, deploy=True)
def check_order_emails(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.DEBUG or settings.LOCAL_ISSUER_ENABLED:
        return []
    sender = settings.DEFAULT_FROM_EMAIL
    if not sender or sender.rstrip(">").endswith("@localhost"):
        return [checks.Error(
            "EMAIL_FROM is not set: order emails (tickets, refunds) would be sent from "
            f"{sender!r}, which SES refuses (not a verified identity).",
            hint="A sender of the SES identity the execution role may send from, e.g. "
                 "'Marquee <tickets@example.com>' (DEPLOY.md, order emails).",
            id="marquee.E009")]
    return []
