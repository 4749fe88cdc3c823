"""AWS clients for Marquee: created on first use, cached per process, with bounded timeouts.

Nothing here touches the network or imports boto3 at import time (house style 7): on Lambda
boto3 costs ~100 ms of cold start, and most requests never need it. With SnapStart, the
after-restore hook (project/snapstart.py) calls `reset()` so that clients, their
credentials and the database secret are never reused from a snapshot.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from django.conf import settings
from django.utils.functional import lazy

# Lambda has 25 s (zappa_settings.json) under API Gateway's 29 s: an AWS call must fail
# fast enough for a retry and a problem response to fit in that budget.
CONNECT_TIMEOUT = 2
READ_TIMEOUT = 5
MAX_ATTEMPTS = 3  # in all, the first try included

_lock = threading.RLock()  # secret_json() creates its client while holding it
_clients: dict[str, Any] = {}
_secrets: dict[str, dict[str, Any]] = {}


def client_config() -> Any:
    from botocore.config import Config

    return Config(connect_timeout=CONNECT_TIMEOUT, read_timeout=READ_TIMEOUT,
                  retries={"total_max_attempts": MAX_ATTEMPTS, "mode": "standard"},
                  tcp_keepalive=True)


def client(service: str) -> Any:
    """The process-wide client for `service`, created on first use."""
    try:
        return _clients[service]
    except KeyError:
        pass
    with _lock:
        if service not in _clients:
            import boto3

            _clients[service] = boto3.session.Session().client(
                service, config=client_config(),
                endpoint_url=getattr(settings, "AWS_ENDPOINT_URL", None) or None)
        return _clients[service]


def secret_json(secret_arn: str) -> dict[str, Any]:
    """A JSON secret from Secrets Manager, fetched once per cold start (or restore)."""
    try:
        return _secrets[secret_arn]
    except KeyError:
        pass
    with _lock:
        if secret_arn not in _secrets:
            value = client("secretsmanager").get_secret_value(SecretId=secret_arn)
            _secrets[secret_arn] = json.loads(value["SecretString"])
        return _secrets[secret_arn]


def forget_secret(secret_arn: str) -> None:
    """Read this secret again on next use (it was rotated or rolled)."""
    with _lock:
        _secrets.pop(secret_arn, None)


def _database_credential(secret_arn: str, field: str) -> str:
    return str(secret_json(secret_arn)[field])


# A lazy string: DATABASES can name the secret at settings time, and the secret is read
# only when the first connection is opened (psycopg2 str()s each connection parameter).
database_credential = lazy(_database_credential, str)


def reset() -> None:
    """Forget clients (and the credentials they hold) and cached secrets."""
    with _lock:
        _clients.clear()
        _secrets.clear()


def __getattr__(name: str) -> Any:
    """`project.aws.S3Storage`: django-storages' S3 storage with our client config.

    Built on first access so that importing this module never imports boto3.
    """
    if name != "S3Storage":
        raise AttributeError(name)
    from storages.backends.s3 import S3Storage as Base

    class S3Storage(Base):
        def __init__(self, **options: Any) -> None:
            options.setdefault("client_config", client_config())
            super().__init__(**options)

    globals()["S3Storage"] = S3Storage
    return S3Storage
