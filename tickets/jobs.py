"""The scheduled jobs (zappa_settings.json `events`), as project/lambda_handler.py runs them:
each opens the database only when the state table says it has work (project/pending_work.py)."""

from __future__ import annotations

import datetime as dt

from project import pending_work

from .due import holds_next_due, purge_next_due


def release_expired_holds_job(*, now: dt.datetime | None = None) -> bool:
    """Every minute: end lapsed holds and offers, send owed refunds and emails — if any
    are due, or the database is to be kept awake. True if the database was used."""
    def work(now: dt.datetime) -> dt.datetime | None:
        from .holds import orders_release_expired

        orders_release_expired(now=now)
        return holds_next_due(now=now)

    return pending_work.run_if_due(pending_work.HOLDS, work, now=now)


def purge_idempotency_keys_job(*, now: dt.datetime | None = None) -> bool:
    """Every hour: delete idempotency keys past their retention, if one is."""
    def work(now: dt.datetime) -> dt.datetime | None:
        from .idempotency import idempotency_purge

        idempotency_purge(now=now)
        return purge_next_due(now=now)

    return pending_work.run_if_due(pending_work.PURGE, work, now=now)
