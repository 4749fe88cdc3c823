"""The token matrix: every bad token is a 401 problem, and none creates a user."""

import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model

from devauth import keys
from project.auth import REFETCH_INTERVAL_SECONDS, JwksCache

pytestmark = pytest.mark.django_db

ME = "/api/v1/me/"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides):
    now = int(time.time())
    base = {"iss": keys.settings.COGNITO_ISSUER, "sub": "a7c1f3e2-0000-4000-8000-000000000001",
            "client_id": "marquee-local", "token_use": "access", "scope": "openid",
            "iat": now, "exp": now + 600, "jti": "j", "username": "u"}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def signed(payload, key=None, headers=None):
    return jwt.encode(payload, key or keys.private_key(), algorithm="RS256",
                      headers={"kid": keys.key_id(), **(headers or {})})


def foreign_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem():
    return keys.private_key().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def unsigned(payload):
    header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": keys.key_id()}).encode())
    return f"{header}.{b64(json.dumps(payload).encode())}."


def hs256_with_public_key(payload):
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": keys.key_id()}).encode())
    body = b64(json.dumps(payload).encode())
    import hashlib
    import hmac

    mac = hmac.new(public_pem(), f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{b64(mac)}"


def tampered():
    token = signed(claims())
    header, _, signature = token.split(".")
    return f"{header}.{b64(json.dumps(claims(sub='someone-else')).encode())}.{signature}"


BAD_TOKENS = {
    "malformed": lambda: "not.a.jwt",
    "garbage": lambda: "abc",
    "alg none": lambda: unsigned(claims()),
    "HS256 signed with the public key": lambda: hs256_with_public_key(claims()),
    "unknown kid": lambda: signed(claims(), headers={"kid": "unknown-kid"}),
    "foreign key with a known kid": lambda: signed(claims(), key=foreign_key()),
    "expired beyond leeway": lambda: signed(claims(exp=int(time.time()) - 61)),
    "iat in the future": lambda: signed(claims(iat=int(time.time()) + 120)),
    "nbf in the future": lambda: signed(claims(nbf=int(time.time()) + 120)),
    "wrong iss": lambda: signed(claims(iss="https://cognito-idp.eu-west-1.amazonaws.com/x")),
    "wrong client_id": lambda: signed(claims(client_id="someone-elses-app")),
    "id token": lambda: signed(claims(token_use="id")),
    "no exp": lambda: signed(claims(exp=None)),
    "no sub": lambda: signed(claims(sub=None)),
    "tampered payload": tampered,
}


@pytest.mark.parametrize("name", BAD_TOKENS)
def test_bad_tokens_are_401_and_create_no_user(api, name):
    users = get_user_model().objects.count()
    response = api.get(ME, HTTP_AUTHORIZATION=f"Bearer {BAD_TOKENS[name]()}")
    assert response.status_code == 401, name
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "invalid_token"
    assert get_user_model().objects.count() == users


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Basic dXNlcjpwdw==", "Token abc",
                                    "Bearer a b"])
def test_bad_authorization_headers(api, header):
    response = api.get(ME, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401 and response["WWW-Authenticate"].startswith("Bearer")


def test_missing_token(api):
    response = api.get(ME)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_within_leeway_is_accepted_and_creates_a_customer_once(api):
    token = signed(claims(exp=int(time.time()) - 30, email="new@example.com"))
    for _ in range(2):
        assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    user = get_user_model().objects.get(username=claims()["sub"])
    assert user.email == "new@example.com"
    assert not user.is_staff and not user.is_superuser and not user.has_usable_password()


def test_a_staff_claim_in_a_token_grants_nothing(api, client):
    token = signed(claims(**{"is_staff": True, "cognito:groups": ["admin"]}))
    assert api.get(ME, HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
    assert not get_user_model().objects.get(username=claims()["sub"]).is_staff
    admin = client.get("/admin/", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert admin.status_code == 302 and "/admin/login/" in admin["Location"]


class TestJwksCache:
    def test_fetched_lazily_once_and_refetched_on_unknown_kid_at_most_once_a_minute(self):
        fetches = []
        clock = [1000.0]

        def fetch():
            fetches.append(clock[0])
            return keys.jwks()

        cache = JwksCache(fetch)
        cache.timer = lambda: clock[0]
        assert fetches == []
        assert cache.key_for(keys.key_id()) is not None
        assert cache.key_for(keys.key_id()) is not None
        assert len(fetches) == 1
        assert cache.key_for("rotated") is None     # within the minute: no refetch
        assert len(fetches) == 1
        clock[0] += REFETCH_INTERVAL_SECONDS
        assert cache.key_for("rotated") is None     # a minute later: one refetch
        assert cache.key_for("rotated") is None
        assert len(fetches) == 2

    def test_a_failing_fetch_is_a_401_not_a_500(self, api, monkeypatch):
        import project.auth as auth

        def down():
            raise OSError("network unreachable")

        monkeypatch.setattr(auth, "_jwks_cache", JwksCache(down))
        response = api.get(ME, HTTP_AUTHORIZATION=f"Bearer {signed(claims())}")
        assert response.status_code == 401
