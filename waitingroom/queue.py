"""The first-come-first-served queue of a performance's waiting room, in Redis.

Each visitor who joins gets, in one Lua script (atomic, so arrival order is exact however
many Lambda environments serve the crowd), an arrival number and an admission time: the
later of their arrival and the previous visitor's admission plus 1/rate. Admission times
are therefore in arrival order and at most `rate` a second, and while nobody waits a
newcomer is admitted at once. A visitor's place is kept per user: joining again (a reload,
a second tab) returns the same place, so refreshing never moves anyone forward.

Every key of a performance's queue shares one hash tag ({marquee} in production's
KEY_PREFIX) as ElastiCache Serverless requires of a script's keys.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache.backends.redis import RedisCache

from project.cache import ReusingRedisCacheClient, eval_script

# KEYS[1]: places (hash user → "number slot"); KEYS[2]: state (hash seq, last).
# ARGV: user, now (s), 1/rate (s), time to live (s), "join" or "read".
# Returns "number slot", or nil when reading someone who never joined.
SCRIPT = """
local place = redis.call('HGET', KEYS[1], ARGV[1])
if place or ARGV[5] ~= 'join' then return place end
local now, gap = tonumber(ARGV[2]), tonumber(ARGV[3])
local number = redis.call('HINCRBY', KEYS[2], 'seq', 1)
local last = tonumber(redis.call('HGET', KEYS[2], 'last') or '')
local slot = now
if last and last + gap > now then slot = last + gap end
local stored = string.format('%.6f', slot)
redis.call('HSET', KEYS[2], 'last', stored)
place = number .. ' ' .. stored
redis.call('HSET', KEYS[1], ARGV[1], place)
redis.call('EXPIRE', KEYS[1], ARGV[4])
redis.call('EXPIRE', KEYS[2], ARGV[4])
return place
"""
SCRIPT_SHA = hashlib.sha1(SCRIPT.encode(), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Place:
    """A visitor's place: their arrival number (1 = first) and admission time (epoch s)."""

    number: int
    admitted_at: float


def place(cache: RedisCache, *, performance_id: int, user_id: int, now: float, rate: float,
          ttl: int, join: bool) -> Place | None:
    """The visitor's place, joining the queue first when `join` (and not in it yet).
    Raises redis' RedisError when Redis cannot be reached."""
    keys = [cache.make_key(f"waiting-room:{performance_id}:places"),
            cache.make_key(f"waiting-room:{performance_id}:state")]
    args = [user_id, repr(now), repr(1.0 / rate), ttl, "join" if join else "read"]
    reply = _run(cache._cache, keys, args)
    if reply is None:
        return None
    number, slot = (reply.decode() if isinstance(reply, bytes) else reply).split()
    return Place(number=int(number), admitted_at=float(slot))


def _run(client: Any, keys: list[str], args: list[Any]) -> Any:
    if isinstance(client, ReusingRedisCacheClient):  # project.cache's: a kept connection
        return client.run_script(SCRIPT, SCRIPT_SHA, keys, args)
    return eval_script(client.get_client(write=True).execute_command, SCRIPT, SCRIPT_SHA,
                       keys, args)
