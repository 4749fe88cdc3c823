"""The scheduled jobs (zappa_settings.json `events`), as project/lambda_handler.py runs them:
each opens the database only when the state table says it has work (project/pending_work.py),
and then runs its management command, as before."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command

from project import pending_work

from .due import holds_next_due, purge_next_due


def release_expired_holds_job(*, now: dt.datetime | None = None) -> bool:
    """Every minute: end lapsed holds and offers, send owed refunds and emails — if any
    are due, or the database is to be kept awake. True if the database was used."""
    def work(at: dt.datetime) -> dt.datetime | None:
        call_command("release_expired_holds", **({"now": now} if now else {}))
        return holds_next_due(now=at)

    return pending_work.run_if_due(pending_work.HOLDS, work, now=now)


def purge_idempotency_keys_job(*, now: dt.datetime | None = None) -> bool:
    """Every hour: delete idempotency keys past their retention, if one is."""
    def work(at: dt.datetime) -> dt.datetime | None:
        call_command("purge_idempotency_keys", **({"now": now} if now else {}))
        return purge_next_due(now=at)

    return pending_work.run_if_due(pending_work.PURGE, work, now=now)
