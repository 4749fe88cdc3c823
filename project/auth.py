"""Bearer authentication with Cognito access tokens (and the local issuer's, same code).

A token is accepted only when all of this holds: RS256 signature by a key of the issuer's
JWKS (matched by `kid`), `iss` exactly the configured issuer, `client_id` one of ours,
`token_use == "access"`, `exp` not past and `iat`/`nbf` not in the future (60 s leeway).
A customer user is created the first time a valid token's `sub` is seen.

The customer's email. A Cognito access token carries none (only `sub`, `username`,
`client_id`, `scope`, `auth_time`…), so on the first request of each sign-in — the token's
`auth_time` newer than the user's `last_login` — Marquee asks Cognito's GetUser with that
access token (it needs the `aws.cognito.signin.user.admin` scope) and stores the verified
email and `last_login = auth_time`. Every other request compares two timestamps and makes no
call: once per customer and sign-in, not per request. An email changed in Cognito is picked
up at the customer's next sign-in. A token that carries `email` itself (the local issuer of
dev and test, or a pool with a pre-token-generation trigger) is used as it is, no call.
If Cognito cannot answer, the request goes on (the email is asked again, at most once a
minute per customer and process).

A customer's SPA sends the same access token many times: a token this process verified is
kept (VerifiedTokens, by its exact text) and served again without the RS256 check until
its `exp`, while the key that verified it is still the issuer's and its `iss` and
`client_id` still the configured ones. A refused token is never kept.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from rest_framework import authentication, exceptions
from rest_framework.request import Request

logger = logging.getLogger(__name__)

LEEWAY_SECONDS = 60
REFETCH_INTERVAL_SECONDS = 60
VERIFIED_TOKENS_MAX = 4096
JwksFetcher = Callable[[], dict[str, Any]]


def fetch_jwks_url(url: str, timeout: float = 3.0) -> dict[str, Any]:
    if not url.startswith("https://") and not settings.DEBUG:
        raise exceptions.AuthenticationFailed("The issuer's JWKS URL must use HTTPS.")
    # The URL is configuration (COGNITO_JWKS_URL), never request input, and HTTPS-only.
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  # nosec B310
        return json.load(response)


class VerifiedTokens:
    """Access tokens verified by this process, by their exact text, least recently used
    first out: each with its claims and the key (and `kid`) that verified it."""

    clock = time.time  # the wall clock, as `exp` and PyJWT's check of it

    def __init__(self, size: int = VERIFIED_TOKENS_MAX) -> None:
        self.size = size
        self.entries: OrderedDict[str, tuple[str, Any, dict[str, Any]]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, token: str, keys: JwksCache) -> dict[str, Any] | None:
        """A copy of the token's claims if it was verified and still would be (see the
        module docstring), else None (and the entry is dropped)."""
        entry = self.entries.get(token)
        if entry is None:
            return None
        kid, key, claims = entry
        with self.lock:
            if (self.clock() < claims["exp"] and keys.keys.get(kid) is key
                    and claims["iss"] == settings.COGNITO_ISSUER
                    and claims["client_id"] in settings.COGNITO_CLIENT_IDS):
                if token in self.entries:
                    self.entries.move_to_end(token)
                return dict(claims)
            self.entries.pop(token, None)
        return None

    def put(self, token: str, kid: str, key: Any, claims: dict[str, Any]) -> None:
        """Keep a token that passed every check, unless it is past its `exp` already
        (accepted within the leeway: verified in full each time)."""
        if not isinstance(claims.get("exp"), int | float) or self.clock() >= claims["exp"]:
            return
        with self.lock:
            self.entries[token] = (kid, key, dict(claims))
            self.entries.move_to_end(token)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


class JwksCache:
    """The issuer's public keys by `kid`: fetched on first use, and again on an unknown
    `kid` (key rotation) at most once per REFETCH_INTERVAL_SECONDS. With them, the tokens
    they verified (`verified`)."""

    timer = time.monotonic

    def __init__(self, fetch: JwksFetcher) -> None:
        self.fetch = fetch
        self.keys: dict[str, Any] = {}
        self.fetched_at: float | None = None
        self.lock = threading.Lock()
        self.verified = VerifiedTokens()

    def key_for(self, kid: str) -> Any | None:
        if kid not in self.keys:
            with self.lock:
                due = (self.fetched_at is None
                       or self.timer() - self.fetched_at >= REFETCH_INTERVAL_SECONDS)
                if kid not in self.keys and due:
                    self._refresh()
        return self.keys.get(kid)

    def _refresh(self) -> None:
        self.fetched_at = self.timer()
        try:
            document = self.fetch()
        except Exception:
            logger.exception("could not fetch the issuer's JWKS")
            return
        keys = {}
        for jwk in document.get("keys", []):
            if jwk.get("kty") == "RSA" and jwk.get("kid") and jwk.get("use", "sig") == "sig":
                keys[jwk["kid"]] = jwt.PyJWK(jwk, algorithm="RS256").key
        self.keys = keys


def default_jwks_fetcher() -> JwksFetcher:
    if settings.COGNITO_JWKS_URL:
        return lambda: fetch_jwks_url(settings.COGNITO_JWKS_URL)
    # No remote issuer configured: the local issuer of dev and test, in this process.
    from devauth.keys import jwks

    return jwks


_jwks_cache: JwksCache | None = None


def jwks_cache() -> JwksCache:
    global _jwks_cache
    if _jwks_cache is None:
        _jwks_cache = JwksCache(default_jwks_fetcher())
    return _jwks_cache


def reset_jwks_cache() -> None:
    """Forget the keys (tests, and after a SnapStart restore)."""
    global _jwks_cache
    _jwks_cache = None


def verify_access_token(token: str, *, keys: JwksCache | None = None) -> dict[str, Any]:
    """The token's claims, or AuthenticationFailed."""
    keys = keys or jwks_cache()
    claims = keys.verified.get(token, keys)
    if claims is not None:
        return claims
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise exceptions.AuthenticationFailed("Malformed token.") from exc
    if header.get("alg") != "RS256":
        raise exceptions.AuthenticationFailed("Unsupported token algorithm.")
    kid = str(header.get("kid", ""))
    key = keys.key_for(kid)
    if key is None:
        raise exceptions.AuthenticationFailed("Unknown signing key.")
    try:
        claims = jwt.decode(
            token, key, algorithms=["RS256"], issuer=settings.COGNITO_ISSUER,
            leeway=LEEWAY_SECONDS,
            options={"require": ["exp", "iat", "iss", "sub", "client_id", "token_use"],
                     "verify_aud": False},  # Cognito access tokens carry client_id, no aud
        )
    except jwt.ExpiredSignatureError as exc:
        raise exceptions.AuthenticationFailed("Token expired.") from exc
    except jwt.PyJWTError as exc:
        raise exceptions.AuthenticationFailed("Invalid token.") from exc
    if claims.get("token_use") != "access":
        raise exceptions.AuthenticationFailed("Not an access token.")
    if claims.get("client_id") not in settings.COGNITO_CLIENT_IDS:
        raise exceptions.AuthenticationFailed("Token issued to another client.")
    keys.verified.put(token, kid, key, claims)
    return claims


# sub → (monotonic expiry, the user's fields): a returning customer is found without a
# query. Kept KNOWN_CUSTOMER_SECONDS, so a customer that staff disable is refused by every
# instance within that time; the email refresh below still sees each new sign-in.
_known: dict[str, tuple[float, dict[str, Any]]] = {}
KNOWN_CUSTOMER_SECONDS = 60
_KNOWN_FIELDS = ("id", "username", "email", "is_active", "last_login")


def customer_for_claims(claims: dict[str, Any], *, access_token: str = "") -> AbstractBaseUser:
    """The customer user of this `sub`, created on first sight; never staff. Its email is
    refreshed on the first request of each sign-in (see the module docstring)."""
    sub = str(claims["sub"])[:150]
    email = str(claims.get("email") or "")[:254]
    known = _known.get(sub)
    if known is not None and known[0] > time.monotonic():
        user = get_user_model()(**known[1])
        user._state.adding, user._state.db = False, "default"
        if (email == user.email if email else not _needs_email_refresh(
                user, claims, access_token)):
            return user
    user = _customer_from_database(sub, email, claims, access_token)
    if len(_known) > 10_000:
        _known.clear()
    _known[sub] = (time.monotonic() + KNOWN_CUSTOMER_SECONDS,
                   {name: getattr(user, name) for name in _KNOWN_FIELDS})
    return user


def forget_customers() -> None:
    """Drop the known-customers cache (tests; a deploy's new code starts empty anyway)."""
    _known.clear()


def _needs_email_refresh(user: AbstractBaseUser, claims: dict[str, Any],
                         access_token: str) -> bool:
    return bool(access_token) and uses_cognito_get_user() and (
        user.last_login is None or _signed_in_at(claims) > user.last_login)


def _customer_from_database(sub: str, email: str, claims: dict[str, Any],
                            access_token: str) -> AbstractBaseUser:
    user_model = get_user_model()
    user = user_model.objects.filter(username=sub).first()
    if user is None:
        try:
            with transaction.atomic():
                user = user_model.objects.create_user(username=sub, email=email)
        except IntegrityError:  # created by a parallel first request of the same user
            user = user_model.objects.get(username=sub)
    if not user.is_active:
        raise exceptions.AuthenticationFailed("This account is disabled.")
    if email:
        if user.email != email:
            user.email = email
            user.save(update_fields=["email"])
        return user
    if _needs_email_refresh(user, claims, access_token):
        _refresh_email(user, access_token, _signed_in_at(claims))
    return user


def uses_cognito_get_user() -> bool:
    """Real Cognito (or moto's): the issuer is a user pool's URL."""
    return settings.COGNITO_ISSUER.startswith("https://cognito-idp.")


def _signed_in_at(claims: dict[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(int(claims.get("auth_time") or claims["iat"]), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return datetime.fromtimestamp(0, tz=UTC)


# sub → monotonic time before which GetUser is not asked again (it failed just now).
_get_user_backoff: dict[str, float] = {}
GET_USER_RETRY_SECONDS = 60


def _refresh_email(user: AbstractBaseUser, access_token: str, signed_in_at: datetime) -> None:
    """Ask Cognito for the customer's verified email; store it with the sign-in time."""
    sub = user.get_username()
    if _get_user_backoff.get(sub, 0.0) > time.monotonic():
        return
    try:
        attributes = {a["Name"]: a["Value"] for a in cognito_client().get_user(
            AccessToken=access_token)["UserAttributes"]}
    except Exception as exc:  # no scope, throttled, Cognito down: the request goes on
        if len(_get_user_backoff) > 10_000:
            _get_user_backoff.clear()
        _get_user_backoff[sub] = time.monotonic() + GET_USER_RETRY_SECONDS
        logger.warning("auth: no email from Cognito for %s: %s", sub, exc)
        return
    _get_user_backoff.pop(sub, None)
    changes: dict[str, Any] = {"last_login": signed_in_at}
    verified = attributes.get("email_verified", "false").lower() == "true"
    email = (attributes.get("email") or "")[:254]
    if verified and email:
        changes["email"] = email  # an unverified (pending) address is never mailed
    type(user).objects.filter(pk=user.pk).update(**changes)
    for name, value in changes.items():
        setattr(user, name, value)


_cognito: Any = None


def cognito_client() -> Any:
    """Cognito's user-pool API in the pool's region, unsigned: GetUser is authorised by the
    access token itself, so the call needs no IAM permission and no AWS credentials."""
    global _cognito
    if _cognito is None:
        import boto3
        from botocore import UNSIGNED
        from botocore.config import Config

        from project.aws import client_config

        region = settings.COGNITO_ISSUER.split("//", 1)[-1].split(".")[1]
        _cognito = boto3.session.Session().client(
            "cognito-idp", region_name=region,
            config=client_config().merge(Config(signature_version=UNSIGNED)),
            endpoint_url=getattr(settings, "AWS_ENDPOINT_URL", None) or None)
    return _cognito


def reset_cognito_client() -> None:
    global _cognito
    _cognito = None


class CognitoAccessTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[AbstractBaseUser, dict] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != self.keyword.lower() or not token.strip() or " " in token.strip():
            raise exceptions.AuthenticationFailed("Use 'Authorization: Bearer <token>'.")
        claims = verify_access_token(token.strip())
        return customer_for_claims(claims, access_token=token.strip()), claims

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
