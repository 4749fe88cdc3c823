"""`Idempotency-Key` handling for reservations (API.md): fingerprint, replay, purge.

The key itself is written by the reservation (tickets/reservation_sql.py), in the same
statement or transaction as the order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
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


def idempotency_exists(*, user: AbstractBaseUser, key: str) -> bool:
    return IdempotencyRecord.objects.filter(customer=user, key=key).exists()


def idempotency_purge(*, now: dt.datetime | None = None) -> int:
    """Delete keys older than the retention period; return how many."""
    now = now or timezone.now()
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=now - RETENTION).delete()
    return deleted


def replay_or_reused(*, user: AbstractBaseUser, key: str, fingerprint: str) -> Exception:
    """What to answer when the key is taken: the stored response, or 422 for another body."""
    record = IdempotencyRecord.objects.filter(customer=user, key=key).first()
    if record is None:  # purged in between: let the client retry
        return errors.IdempotencyInProgress()
    if record.fingerprint != fingerprint:
        return errors.IdempotencyKeyReused()
    return Replay(record.status_code, record.body)
