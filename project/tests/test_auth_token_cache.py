"""Verified access tokens are kept per process (project.auth.VerifiedTokens): the same
token is not verified twice, and a kept token is served only while it would still pass."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import jwt
import pytest
from rest_framework import exceptions

from devauth import keys
from project import auth

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


@pytest.fixture
def jwks() -> auth.JwksCache:
    return auth.JwksCache(keys.jwks)


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The tokens that went through the full RS256 verification."""
    seen: list[str] = []
    real = jwt.decode

    def counting(token: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        seen.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(auth.jwt, "decode", counting)
    return seen


def token(**kwargs: Any) -> str:
    return keys.issue_access_token(sub="0f6d6c3e-0000-4000-8000-00000000cafe",
                                   email="kept@example.com", **kwargs)


def refused(text: str, jwks: auth.JwksCache, match: str | None = None) -> None:
    with pytest.raises(exceptions.AuthenticationFailed, match=match):
        auth.verify_access_token(text, keys=jwks)
    assert text not in jwks.verified.entries  # a failure is never kept


def test_a_token_is_verified_once_and_its_claims_served_as_copies(jwks, decodes):
    text = token()
    first = auth.verify_access_token(text, keys=jwks)
    first["sub"] = "someone else"  # a caller's change does not reach the cache
    again = auth.verify_access_token(text, keys=jwks)
    assert decodes == [text]
    assert again["sub"] == "0f6d6c3e-0000-4000-8000-00000000cafe"
    assert again == auth.verify_access_token(text, keys=jwks) and again is not first


def test_a_kept_token_past_its_exp_is_refused(jwks, decodes, monkeypatch):
    text = token(expires_in=600)
    auth.verify_access_token(text, keys=jwks)
    later = time.time() + 600 + auth.LEEWAY_SECONDS + 5

    class Later(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:
            return dt.datetime.fromtimestamp(later, tz=tz)

    monkeypatch.setattr(jwks.verified, "clock", lambda: later)
    monkeypatch.setattr(jwt.api_jwt, "datetime", Later)  # PyJWT's clock, the same moment
    refused(text, jwks, match="expired")
    assert decodes == [text, text]  # verified in full again, not served from the cache


def test_a_kept_token_is_dropped_at_its_exp_even_within_the_leeway(jwks, decodes,
                                                                    monkeypatch):
    """Past `exp` but within the leeway the token still passes, verified in full each
    time: the cache serves a token only before its `exp`."""
    text = token(expires_in=600)
    auth.verify_access_token(text, keys=jwks)
    monkeypatch.setattr(jwks.verified, "clock", lambda: time.time() + 600)
    assert jwks.verified.get(text, jwks) is None
    assert text not in jwks.verified.entries


def test_a_token_within_the_leeway_is_never_kept(jwks, decodes):
    text = token(now=time.time() - 630, expires_in=600)  # expired 30 s ago: accepted
    auth.verify_access_token(text, keys=jwks)
    auth.verify_access_token(text, keys=jwks)
    assert decodes == [text, text] and text not in jwks.verified.entries


def test_a_tampered_token_is_never_served_from_the_cache(jwks):
    text = token()
    auth.verify_access_token(text, keys=jwks)
    header, payload, signature = text.split(".")
    other = token(extra={"scope": "openid email admin"}).split(".")[1]
    flipped = signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")
    unsigned = jwt.encode(jwt.decode(text, options={"verify_signature": False}), key=None,
                          algorithm="none", headers={"kid": keys.key_id()})
    for tampered in (f"{header}.{payload}.{flipped}",  # signature changed
                     f"{header}.{other}.{signature}",   # claims changed
                     f"{header}.{payload}.",            # signature removed
                     unsigned):                         # the same claims, alg "none"
        refused(tampered, jwks)
    assert auth.verify_access_token(text, keys=jwks)["email"] == "kept@example.com"


def test_a_kept_token_follows_the_settings(jwks, settings):
    ours = list(settings.COGNITO_CLIENT_IDS)
    text = token()
    auth.verify_access_token(text, keys=jwks)
    settings.COGNITO_CLIENT_IDS = ["another-client"]
    refused(text, jwks, match="another client")
    settings.COGNITO_CLIENT_IDS = ours
    auth.verify_access_token(text, keys=jwks)
    settings.COGNITO_ISSUER = "https://issuer.invalid/other"
    refused(text, jwks)


def test_a_kept_token_is_refused_once_its_key_left_the_jwks(monkeypatch):
    published = [keys.jwks()]
    jwks = auth.JwksCache(lambda: published[0])
    clock = [1000.0]
    monkeypatch.setattr(jwks, "timer", lambda: clock[0])
    text = token()
    auth.verify_access_token(text, keys=jwks)
    published[0] = {"keys": []}  # the issuer rotated its key out
    clock[0] += auth.REFETCH_INTERVAL_SECONDS
    assert jwks.key_for("an unknown kid") is None  # which refetches the JWKS
    refused(text, jwks, match="Unknown signing key")


def test_the_cache_is_bounded_least_recently_used_first_out(jwks):
    jwks.verified.size = 2
    a, b, c = token(), token(), token()
    for text in (a, b, a, c):  # b is the least recently used when c comes
        auth.verify_access_token(text, keys=jwks)
    assert list(jwks.verified.entries) == [a, c]


def test_over_the_api_a_disabled_customer_is_still_refused(api, django_user_model):
    """The cache keeps a token's claims, not its customer: disabling the user takes
    effect as before (the known-customers cache's own delay, here forgotten)."""
    text = token()
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 200
    django_user_model.objects.filter(email="kept@example.com").update(is_active=False)
    auth.forget_customers()
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {text}").status_code == 401

