"""Bearer authentication with Cognito access tokens (and the local issuer's, same code).

A token is accepted only when all of this holds: RS256 signature by a key of the issuer's
JWKS (matched by `kid`), `iss` exactly the configured issuer, `client_id` one of ours,
`token_use == "access"`, `exp` not past and `iat`/`nbf` not in the future (60 s leeway).
A customer user is created the first time a valid token's `sub` is seen.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Callable
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
JwksFetcher = Callable[[], dict[str, Any]]


def fetch_jwks_url(url: str, timeout: float = 3.0) -> dict[str, Any]:
    if not url.startswith("https://") and not settings.DEBUG:
        raise exceptions.AuthenticationFailed("The issuer's JWKS URL must use HTTPS.")
    # The URL is configuration (COGNITO_JWKS_URL), never request input, and HTTPS-only.
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310  # nosec B310
        return json.load(response)


class JwksCache:
    """The issuer's public keys by `kid`: fetched on first use, and again on an unknown
    `kid` (key rotation) at most once per REFETCH_INTERVAL_SECONDS."""

    timer = time.monotonic

    def __init__(self, fetch: JwksFetcher) -> None:
        self.fetch = fetch
        self.keys: dict[str, Any] = {}
        self.fetched_at: float | None = None
        self.lock = threading.Lock()

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
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise exceptions.AuthenticationFailed("Malformed token.") from exc
    if header.get("alg") != "RS256":
        raise exceptions.AuthenticationFailed("Unsupported token algorithm.")
    key = keys.key_for(str(header.get("kid", "")))
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
    return claims


def customer_for_claims(claims: dict[str, Any]) -> AbstractBaseUser:
    """The customer user of this `sub`, created on first sight; never staff."""
    user_model = get_user_model()
    sub = str(claims["sub"])[:150]
    email = str(claims.get("email") or "")[:254]
    user = user_model.objects.filter(username=sub).first()
    if user is None:
        try:
            with transaction.atomic():
                user = user_model.objects.create_user(username=sub, email=email)
        except IntegrityError:  # created by a parallel first request of the same user
            user = user_model.objects.get(username=sub)
    elif email and user.email != email:
        user.email = email
        user.save(update_fields=["email"])
    if not user.is_active:
        raise exceptions.AuthenticationFailed("This account is disabled.")
    return user


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
        return customer_for_claims(claims), claims

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
