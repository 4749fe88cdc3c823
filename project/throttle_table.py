"""Throttles in the state table (DynamoDB), for a deployment without a cache (profile small).

Same promise as the Redis script of project/throttling.py: at most `limit` requests admitted
in any `duration` seconds per throttle key, a request admitted only when every throttle of
the view admits it and then recorded in all of them at once, a refused request costing
nothing. Exact under any concurrency, because each admission is a conditional write:

- a throttle key has `limit` slots (items pk = "throttle:KEY", sk = slot number), each
  holding the time of the admission it last recorded;
- a request reads the slots (strongly consistent), picks for each throttle a slot that is
  free (never used, or used more than `duration` ago) and writes all its picks in one
  transaction, each on the condition that the slot still holds what was read;
- a lost race (another request took the slot) cancels the transaction: read again, retry.
  No free slot in a throttle: refused, with the wait until its oldest slot frees.

At most `limit` slots hold a time within the last `duration` seconds: never more than
`limit` admissions in any window. (Right after a rate is lowered, slots numbered above the
new limit still count, and refuse; parallel requests may then pass the count together, by
at most those old slots, for one window.) Items expire (the table's TTL) after their window.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)

ATTEMPTS = 25  # lost races before a request is refused for a second instead


def admit_in_table(table: Any, windows: Sequence[Any], now: float) -> dict[str, float]:
    """Record one request in every window, or in none: the waits of the windows that
    refuse it (empty: admitted). `table` is project.pending_work.StateTable."""
    client = table.client
    for _ in range(ATTEMPTS):
        picks, waits = [], {}
        for window in windows:
            slots = _slots(client, table.name, window.key)
            recent = sorted(t for t in slots.values() if t > now - window.duration)
            free = [i for i in range(window.limit)
                    if i not in slots or slots[i] <= now - window.duration]
            if len(recent) >= window.limit or not free:
                # DRF's sliding log: wait until enough admissions have left the window.
                freed = recent[len(recent) - window.limit] if window.limit > 0 else now
                waits[window.key] = max(freed + window.duration - now, 0.0)
                continue
            slot = random.choice(free)  # noqa: S311 — spreads parallel requests over slots
            picks.append((window, slot, slots.get(slot)))
        if waits:
            return waits
        try:
            client.transact_write_items(TransactItems=[
                _put(table.name, window, slot, seen, now) for window, slot, seen in picks])
            return {}
        except client.exceptions.TransactionCanceledException:
            continue  # another request took one of the slots first: read again
    logger.warning("throttles: %d lost races for %s", ATTEMPTS, [w.key for w in windows])
    return {windows[0].key: 1.0}


def _slots(client: Any, name: str, key: str) -> dict[int, float]:
    slots, start = {}, None
    while True:
        page = client.query(TableName=name, ConsistentRead=True,
                            KeyConditionExpression="pk = :pk",
                            ExpressionAttributeValues={":pk": {"S": f"throttle:{key}"}},
                            **({"ExclusiveStartKey": start} if start else {}))
        for item in page["Items"]:
            slots[int(item["sk"]["S"])] = float(item["t"]["N"])
        start = page.get("LastEvaluatedKey")
        if not start:
            return slots


def _put(name: str, window: Any, slot: int, seen: float | None, now: float) -> dict:
    put: dict[str, Any] = {
        "TableName": name,
        "Item": {"pk": {"S": f"throttle:{window.key}"}, "sk": {"S": str(slot)},
                 "t": {"N": repr(now)},
                 "expires": {"N": str(int(now + window.duration + 60))}}}
    if seen is None:
        put["ConditionExpression"] = "attribute_not_exists(t)"
    else:
        put["ConditionExpression"] = "t = :seen"
        put["ExpressionAttributeValues"] = {":seen": {"N": repr(seen)}}
    return {"Put": put}
