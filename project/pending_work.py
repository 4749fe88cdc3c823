"""What is due, known without the database: the scheduled jobs open a connection only then.

A database that pauses when idle (profile small, Aurora Serverless v2 at 0 ACU) would be
kept awake around the clock by a per-minute job that asks it "anything to do?". So each
place that creates work for a job — a hold that will lapse, an email or a refund owed, an
idempotency key to purge one day — first writes when it is due into the state table
(DynamoDB, STATE_TABLE, reached without the database), and the job reads that table:

- nothing due ⇒ it returns without opening a connection;
- something due ⇒ it does its work (the database is the truth: it finds everything due,
  announced or not), then writes the next due time the database knows of, then deletes
  the entries it saw that are older than GRACE.

Entries are written *before* the transaction that creates the work commits (a rollback
leaves a harmless false alarm), and an entry younger than GRACE — longer than any request
may run — is never deleted, so a transaction still in flight when the job looks is seen by
a later run. Missing an entry would leave work undone; an extra one costs one connection.

Wake windows: staff announce an on-sale and doors open; the database should be awake
then, not resuming. Each performance gets windows (WAKE_BEFORE its times, for WAKE_FOR)
in the same table; during a window the job opens a connection each minute, which keeps
Aurora from pausing.

Without STATE_TABLE (`make run`, the tests that do not set it) there is no table: the jobs
always open the database, as before.
"""

from __future__ import annotations

import datetime as dt
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

WAKE_BEFORE = dt.timedelta(minutes=15)
WAKE_FOR = dt.timedelta(hours=1)
GRACE = dt.timedelta(seconds=60)  # > the longest request (25 s Lambda timeout)
KEEP = dt.timedelta(days=7)       # DynamoDB's TTL deletes what nothing else did

HOLDS = "holds"    # release_expired_holds: holds, offers, refunds, emails
PURGE = "purge"    # purge_idempotency_keys
GIFT_CARDS = "gift_cards"  # expire_gift_cards: cards past their expiry with a balance


@dataclass(frozen=True)
class Entry:
    due: dt.datetime
    token: str


class Store(Protocol):
    def add(self, job: str, due: dt.datetime) -> None: ...
    def add_many(self, work: Iterable[tuple[str, dt.datetime]]) -> None: ...
    def due(self, job: str, now: dt.datetime) -> list[Entry]: ...
    def remove(self, job: str, entries: Iterable[Entry]) -> None: ...
    def set_window(self, key: str, start: dt.datetime, end: dt.datetime) -> None: ...
    def awake(self, now: dt.datetime) -> bool: ...


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")  # sorts as it reads


class StateTable:
    """The state table of deploy/templates/backend.yaml (pk, sk; `expires` is its TTL)."""

    def __init__(self, name: str, client: Any = None) -> None:
        self.name = name
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            from project import aws

            return aws.client("dynamodb")
        return self._client

    def add(self, job: str, due: dt.datetime) -> None:
        self.client.put_item(TableName=self.name, Item=self._item(job, due))

    def add_many(self, work: Iterable[tuple[str, dt.datetime]]) -> None:
        items = [self._item(job, due) for job, due in work]
        if len(items) == 1:
            self.client.put_item(TableName=self.name, Item=items[0])
        elif items:
            self._batch([{"PutRequest": {"Item": item}} for item in items])

    @staticmethod
    def _item(job: str, due: dt.datetime) -> dict:
        return {"pk": {"S": f"due:{job}"}, "sk": {"S": f"{_iso(due)}#{secrets.token_hex(6)}"},
                "expires": {"N": str(int((due + KEEP).timestamp()))}}

    def due(self, job: str, now: dt.datetime) -> list[Entry]:
        found, start = [], None
        while True:
            kwargs = {"ExclusiveStartKey": start} if start else {}
            page = self.client.query(
                TableName=self.name, ConsistentRead=True,
                KeyConditionExpression="pk = :pk AND sk <= :now",
                ExpressionAttributeValues={":pk": {"S": f"due:{job}"},
                                           ":now": {"S": f"{_iso(now)}#~"}}, **kwargs)
            for item in page["Items"]:
                moment, token = item["sk"]["S"].split("#", 1)
                found.append(Entry(dt.datetime.strptime(moment, "%Y-%m-%dT%H:%M:%S.%fZ")
                                   .replace(tzinfo=dt.UTC), token))
            start = page.get("LastEvaluatedKey")
            if not start:
                return found

    def remove(self, job: str, entries: Iterable[Entry]) -> None:
        self._batch([{"DeleteRequest": {"Key": {"pk": {"S": f"due:{job}"},
                                                "sk": {"S": f"{_iso(e.due)}#{e.token}"}}}}
                     for e in entries])

    def _batch(self, requests: list[dict]) -> None:
        for i in range(0, len(requests), 25):
            pending = {self.name: requests[i:i + 25]}
            for _ in range(5):
                left = self.client.batch_write_item(RequestItems=pending)
                pending = left.get("UnprocessedItems") or {}
                if not pending:
                    break
                time.sleep(0.05)
            if pending:
                raise RuntimeError("the state table did not take every write")

    def set_window(self, key: str, start: dt.datetime, end: dt.datetime) -> None:
        self.client.put_item(TableName=self.name, Item={
            "pk": {"S": "wake"}, "sk": {"S": key},
            "start": {"N": str(int(start.timestamp()))}, "end": {"N": str(int(end.timestamp()))},
            "expires": {"N": str(int((end + KEEP).timestamp()))}})

    def awake(self, now: dt.datetime) -> bool:
        page = self.client.query(
            TableName=self.name, KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": "wake"}})
        moment = now.timestamp()
        return any(int(i["start"]["N"]) <= moment < int(i["end"]["N"]) for i in page["Items"])


_store: list[Any] = []  # [the configured store] once looked up


def store() -> Store | None:
    """The state table STATE_TABLE names, or None (no table: always use the database)."""
    if not _store:
        from django.conf import settings

        name = getattr(settings, "STATE_TABLE", "")
        _store.append(StateTable(name) if name else None)
    return _store[0]


def use(table: Store | None) -> None:
    """Use `table` from now on (tests; None: look it up again)."""
    _store[:] = [table] if table is not None else []


def announce(*work: tuple[str, dt.datetime]) -> None:
    """Work will be due: (job, when) pairs. Call before the transaction that creates the
    work commits. No state table: nothing to do (the job looks in the database anyway)."""
    table = store()
    if table is not None and work:
        table.add_many(work)


def run_if_due(job: str, work: Callable[[dt.datetime], dt.datetime | None], *,
               now: dt.datetime | None = None) -> bool:
    """Run `work(now)` (which returns when work is next due, from the database) if the
    state table says something is due or the database is to be kept awake; else touch
    nothing. True if the database was used."""
    from django.utils import timezone

    now = now or timezone.now()
    table = store()
    if table is None:
        work(now)
        return True
    seen = table.due(job, now)
    if not seen:
        if job == HOLDS and table.awake(now):
            keep_awake()
            return True
        return False
    upcoming = work(now)
    if upcoming is not None:
        table.add(job, max(upcoming, now))
    table.remove(job, [e for e in seen if e.due <= now - GRACE])
    return True


def keep_awake() -> None:
    """One statement: Aurora counts it as activity and does not pause."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


# ------------------------------------------------------------------ wake windows

def wake_windows(times: Iterable[dt.datetime]) -> list[tuple[dt.datetime, dt.datetime]]:
    """The windows the database is kept awake for events at `times` (doors, on-sales)."""
    return [(moment - WAKE_BEFORE, moment - WAKE_BEFORE + WAKE_FOR) for moment in times]


def schedule_wake(key: str, times: Iterable[dt.datetime]) -> None:
    """Keep the database awake around each of `times` (e.g. a performance's doors and its
    on-sale): one window per time, replacing what `key` had."""
    table = store()
    if table is None:
        return
    for i, (start, end) in enumerate(wake_windows(sorted(times))):
        table.set_window(f"{key}:{i}", start, end)
