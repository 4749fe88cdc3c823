"""`Idempotency-Key` handling for reservations (API.md): claim, replay, purge."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import OperationalError, connection
from django.utils import timezone

from . import errors
from .models import IdempotencyRecord

RETENTION = dt.timedelta(hours=24)


class Replay(Exception):
    """The request was already answered: send the stored response again."""

    def __init__(self, status_code: int, body: Any) -> None:
        self.status_code = status_code
        self.body = body
        super().__init__(status_code)


def request_fingerprint(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def idempotency_claim(*, user: AbstractBaseUser, idempotency: Any,
                      response: tuple[int, Any], now: dt.datetime) -> None:
    """Store the key with its response inside the caller's transaction, or raise.

    A parallel request with the same key waits on the unique index until the first one
    commits (then this raises Replay) or rolls back (then this one goes ahead). After the
    database's lock timeout it is told that the first is still in progress.
    """
    status_code, body = response
    table = IdempotencyRecord._meta.db_table
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (customer_id, key, fingerprint, status_code, body, "  # noqa: S608 — table name is ours
                "created_at) VALUES (%s, %s, %s, %s, %s, %s) "
                "ON CONFLICT (customer_id, key) DO NOTHING RETURNING id",
                [user.pk, idempotency.key, idempotency.fingerprint, status_code,
                 json.dumps(body), now],
            )
            claimed = cursor.fetchone() is not None
    except OperationalError as exc:  # lock_timeout while the first request runs
        raise errors.IdempotencyInProgress() from exc
    if not claimed:
        raise _replay_or_reused(user=user, key=idempotency.key,
                                fingerprint=idempotency.fingerprint)


def idempotency_purge(*, now: dt.datetime | None = None) -> int:
    """Delete keys older than the retention period; return how many."""
    now = now or timezone.now()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=now - RETENTION).delete()
    return deleted


def _replay_or_reused(*, user: AbstractBaseUser, key: str, fingerprint: str) -> Exception:
    record = IdempotencyRecord.objects.filter(customer=user, key=key).first()
    if record is None:  # purged in between: let the client retry
        return errors.IdempotencyInProgress()
    if record.fingerprint != fingerprint:
        return errors.IdempotencyKeyReused()
    return Replay(record.status_code, record.body)
