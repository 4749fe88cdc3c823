"""The only module that speaks to Stripe (the official `stripe` library).

stripe is imported on first use, never at init: most requests never pay (house style 7).
Every call has bounded timeouts and one retry, and every failure to reach Stripe becomes
PaymentUnavailable, so callers deal with two outcomes: an answer, or "try again later".

Every call first takes a slot of the Stripe budget shared by all environments
(stripe_budget.py), waiting for one if needed; a 429 from Stripe all the same is retried
with jittered exponential backoff. Both wait at most until the current deadline
(`patience()`: STRIPE_MAX_WAIT_SECONDS by default), then give up with PaymentUnavailable.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from . import errors, keys
from .stripe_budget import budget

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 3
READ_TIMEOUT = 10  # a confirm with 3-D Secure lookups can take seconds; under Lambda's 25 s
NETWORK_RETRIES = 1  # safe: every write we send carries an idempotency key
BACKOFF_BASE, BACKOFF_CAP = 0.25, 4.0  # seconds: a 429's retries, "full jitter"

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


@dataclass
class Waited:
    """Seconds the calls of a `patience()` block spent waiting on Stripe's limits."""

    seconds: float = 0.0


_patience: contextvars.ContextVar[tuple[float, Waited] | None] = contextvars.ContextVar(
    "stripe_patience", default=None)


@contextlib.contextmanager
def patience(seconds: float) -> Iterator[Waited]:
    """Calls inside wait for Stripe's budget (or retry its 429s) for at most `seconds`
    in all; yields what they waited."""
    waited = Waited()
    token = _patience.set((budget.timer() + max(seconds, 0.0), waited))
    try:
        yield waited
    finally:
        _patience.reset(token)


class _RateLimited(Exception):
    pass


def call(operation: str, *args: Any, **kwargs: Any) -> Any:
    """`call("payment_intents.create", params, options)`: Stripe's answer, or a domain error.

    CardError → CardDeclined with the bank's message; anything that says Stripe could not
    be reached or could not answer → PaymentUnavailable. Other request errors (a bug, or
    a state Stripe refuses) propagate as stripe.InvalidRequestError for the caller.
    Waits for a slot of the shared budget, and retries a 429, until the deadline.
    """
    current = _patience.get()
    deadline, waited = current if current else (
        budget.timer() + settings.STRIPE_MAX_WAIT_SECONDS, Waited())
    stripe_client, attempt = client(), 0  # no key: PaymentUnavailable before any wait
    while True:
        took = budget.take(operation, deadline=deadline)
        if took is None:
            logger.warning("payments: Stripe budget spent for %s until the deadline", operation)
            waited.seconds += max(deadline - budget.timer(), 0.0)
            raise errors.PaymentUnavailable(errors.BUSY_DETAIL)
        waited.seconds += took
        try:
            return _call_once(stripe_client, operation, *args, **kwargs)
        except _RateLimited as exc:
            attempt += 1
            delay = random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** attempt))  # noqa: S311  # nosec B311
            if budget.timer() + delay > deadline:
                logger.warning("payments: Stripe kept answering 429 to %s", operation)
                raise errors.PaymentUnavailable(errors.BUSY_DETAIL) from exc.__cause__
            budget.sleep(delay)
            waited.seconds += delay


def _call_once(stripe_client: Any, operation: str, *args: Any, **kwargs: Any) -> Any:
    import stripe

    service, method = operation.split(".")
    target = getattr(getattr(stripe_client.v1, service), method)
    try:
        return target(*args, **kwargs)
    except stripe.CardError as exc:
        raise errors.CardDeclined(exc.user_message or None) from exc
    except stripe.AuthenticationError as exc:
        # A rolled key: read the secret again on the next call (DEPLOY.md, key rolling).
        logger.error("payments: Stripe refused our key for %s: %s", operation, exc)
        _forget_secret()
        raise errors.PaymentUnavailable() from exc
    except stripe.RateLimitError as exc:
        logger.info("payments: Stripe answered 429 to %s", operation)
        raise _RateLimited() from exc
    except (stripe.APIConnectionError, stripe.APIError, stripe.PermissionError) as exc:
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
