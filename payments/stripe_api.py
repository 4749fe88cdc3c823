"""The only module that speaks to Stripe (the official `stripe` library).

stripe is imported on first use, never at init: most requests never pay (house style 7).
Every call has bounded timeouts and one retry, and every failure to reach Stripe becomes
PaymentUnavailable, so callers deal with two outcomes: an answer, or "try again later".
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings

from . import errors, keys

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3
READ_TIMEOUT = 10  # a confirm with 3-D Secure lookups can take seconds; under Lambda's 25 s
NETWORK_RETRIES = 1  # safe: every write we send carries an idempotency key

_lock = threading.Lock()
_clients: dict[tuple[str, str], Any] = {}


def _secret(read: Any) -> str:
    """A Stripe secret, or PaymentUnavailable when Secrets Manager cannot give it."""
    try:
        return read()
    except Exception as exc:  # botocore's errors: unreachable, throttled, no such secret
        logger.error("payments: the Stripe secret could not be read: %s", exc)
        raise errors.PaymentUnavailable() from exc


def client() -> Any:
    """A StripeClient for the current key and API base, cached per (key, base)."""
    key, base = _secret(keys.secret_key), settings.STRIPE_API_BASE
    cached = _clients.get((key, base))
    if cached is not None:
        return cached
    if not key:
        logger.error("payments: no Stripe secret key is configured")
        raise errors.PaymentUnavailable()
    import stripe

    with _lock:
        http = stripe.RequestsClient(timeout=(CONNECT_TIMEOUT, READ_TIMEOUT))
        _clients[(key, base)] = stripe.StripeClient(
            key, base_addresses={"api": base}, max_network_retries=NETWORK_RETRIES,
            http_client=http)
        return _clients[(key, base)]


def reset() -> None:
    """Forget clients (SnapStart after-restore, tests that change the key or base)."""
    with _lock:
        _clients.clear()


def call(operation: str, *args: Any, **kwargs: Any) -> Any:
    """`call("payment_intents.create", params, options)`: Stripe's answer, or a domain error.

    CardError → CardDeclined with the bank's message; anything that says Stripe could not
    be reached or could not answer → PaymentUnavailable. Other request errors (a bug, or
    a state Stripe refuses) propagate as stripe.InvalidRequestError for the caller.
    """
    import stripe

    service, method = operation.split(".")
    target = getattr(getattr(client().v1, service), method)
    try:
        return target(*args, **kwargs)
    except stripe.CardError as exc:
        raise errors.CardDeclined(exc.user_message or None) from exc
    except stripe.AuthenticationError as exc:
        # A rolled key: read the secret again on the next call (DEPLOY.md, key rolling).
        logger.error("payments: Stripe refused our key for %s: %s", operation, exc)
        _forget_secret()
        raise errors.PaymentUnavailable() from exc
    except (stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError,
            stripe.PermissionError) as exc:
        logger.warning("payments: Stripe unavailable for %s: %s", operation, exc)
        raise errors.PaymentUnavailable() from exc
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 402:  # localstripe answers some declines this way
            raise errors.CardDeclined(exc.user_message or None) from exc
        if exc.http_status and exc.http_status >= 500:
            raise errors.PaymentUnavailable() from exc
        raise


def _forget_secret() -> None:
    from project import aws

    reset()
    if settings.STRIPE_SECRET_ARN:
        aws.forget_secret(settings.STRIPE_SECRET_ARN)


def invalid_request_error() -> type[Exception]:
    import stripe

    return stripe.InvalidRequestError


def construct_event(payload: bytes, signature: str) -> Any:
    """The verified event, or InvalidSignature (forged, stale or malformed)."""
    import stripe

    secret = _secret(keys.webhook_secret)
    if not secret:
        logger.error("payments: no webhook secret is configured")
        raise errors.PaymentUnavailable()
    try:
        return stripe.Webhook.construct_event(payload, signature, secret,
                                              tolerance=settings.STRIPE_WEBHOOK_TOLERANCE)
    except (stripe.SignatureVerificationError, ValueError) as exc:
        raise errors.InvalidSignature() from exc


def field(obj: Any, name: str, default: Any = None) -> Any:
    """A field of a Stripe object or of a plain dict (events carry plain data)."""
    try:
        value = obj[name]
    except (KeyError, TypeError):
        return default
    return default if value is None else value
