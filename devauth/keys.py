"""The local issuer's RSA key pair: generated on first use, kept under var/ (not in git)."""

from __future__ import annotations

import base64
import hashlib
import os
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

if not settings.LOCAL_ISSUER_ENABLED:  # a second lock beside the app config's
    raise ImproperlyConfigured("The local issuer is for dev and test settings only.")

_private_key: rsa.RSAPrivateKey | None = None


def private_key() -> rsa.RSAPrivateKey:
    global _private_key
    if _private_key is None:
        _private_key = _load_or_create(Path(settings.LOCAL_ISSUER_KEY_PATH))
    return _private_key


def _load_or_create(path: Path) -> rsa.RSAPrivateKey:
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ImproperlyConfigured(f"{path} does not hold an RSA private key.")
        return key
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(pem)
    tmp.chmod(0o600)
    os.replace(tmp, path)  # atomic: parallel first uses never see half a file
    return _load_or_create(path)


def _b64(n: int) -> str:
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def key_id() -> str:
    numbers = private_key().public_key().public_numbers()
    return hashlib.sha256(_b64(numbers.n).encode()).hexdigest()[:16]


def jwks() -> dict[str, Any]:
    numbers = private_key().public_key().public_numbers()
    return {"keys": [{"kty": "RSA", "alg": "RS256", "use": "sig", "kid": key_id(),
                      "n": _b64(numbers.n), "e": _b64(numbers.e)}]}


def issue_access_token(*, sub: str, email: str = "", expires_in: int = 3600,
                       client_id: str | None = None, now: float | None = None,
                       extra: dict[str, Any] | None = None) -> str:
    """An access token with the claims of a Cognito access token (plus `email`, which
    Cognito adds through a pre-token-generation trigger)."""
    now = int(now if now is not None else time.time())
    claims = {
        "iss": settings.COGNITO_ISSUER, "sub": sub,
        "client_id": client_id or settings.COGNITO_CLIENT_IDS[0],
        "token_use": "access", "scope": "openid email", "auth_time": now,
        "iat": now, "exp": now + expires_in, "jti": str(uuid.uuid4()), "username": sub,
        "email": email, **(extra or {}),
    }
    return jwt.encode(claims, private_key(), algorithm="RS256", headers={"kid": key_id()})


def sub_for_email(email: str) -> str:
    """A stable `sub` per email address, like a user pool's user id."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"marquee-local:{email.strip().lower()}"))
