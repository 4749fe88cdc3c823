"""Throttles through the shared cache: every throttle of a request in one Redis round trip.

DRF's SimpleRateThrottle reads a list of request times from the cache and writes it back:
two round trips per throttle, and parallel requests that read the same list all pass. Here
the first throttle of a request that runs decides for all of that view's throttles
(`view.get_throttles()`) at once:

- on Redis, in one Lua script (one round trip, atomic, so N parallel requests against a
  limit of k let exactly k through);
- on any other cache (local memory under `make run`, the dummy cache of the tests), with
  DRF's get-then-set under a process-wide lock: exact within a process, which is all a
  local-memory cache spans.

The window is DRF's own sliding log — at most `num_requests` admitted in any `duration`
seconds — kept in Redis as a sorted set of admission times per throttle key. A request is
admitted only when every throttle admits it, and only then is it recorded in every log: a
refused request costs none of the client's allowances. `wait()` is the exact time until
the refusing throttle frees a slot (the 429's Retry-After).

Without a cache (profile small), the same windows live in the state table, DynamoDB
(project/throttle_table.py: conditional writes, exact under concurrency too), chosen by
THROTTLE_STORE=state-table.

When Redis cannot be reached the request is admitted (fail open), as project.cache treats
an unreachable Redis as a miss: throttles guard against abuse, no invariant depends on them
(seats are sold by the database's conditional UPDATE and per-person CHECK), so a cache
outage must not become an outage of the box office. It is logged.

Rates are read when used (THROTTLE_*_RATE), not at import time as DRF's are.

The same round trip can read cache entries the request needs next (`admit(read=…)`): an
anonymous cached page is decided and fetched in one call (shows.views.CachedPageApi), and
the decision is handed on (`hand_on`) so DRF's throttles, if the page must be computed,
do not count the request twice. On ElastiCache Serverless every key of one script must be
in one hash slot: production's KEY_PREFIX is the hash tag `{marquee}`.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest
from rest_framework import throttling
from rest_framework.settings import api_settings

from project.cache import ReusingRedisCacheClient, eval_script

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Window:
    """One throttle's allowance for one identity: `limit` requests per `duration` s."""

    key: str
    limit: int
    duration: int


# KEYS[i], i ≤ n: throttle i's log, a sorted set of admission times; KEYS[i], i > n: entries
# to read. ARGV[1]: now (s); ARGV[2]: a member unique to this request; ARGV[2i+1], ARGV[2i+2]:
# throttle i's limit and duration (so n = (#ARGV - 2) / 2). Returns per throttle "" (admits)
# or the seconds until it admits one more request, then the value of each entry read.
SCRIPT = """
local now, n = tonumber(ARGV[1]), (#ARGV - 2) / 2
local waits, refused = {}, false
for i = 1, n do
  local key = KEYS[i]
  local limit, duration = tonumber(ARGV[2 * i + 1]), tonumber(ARGV[2 * i + 2])
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - duration)
  local count = redis.call('ZCARD', key)
  waits[i] = ''
  if count >= limit then
    refused = true
    local wait = duration
    if limit > 0 then
      local freed = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
      wait = tonumber(freed[2]) + duration - now
    end
    waits[i] = string.format('%.6f', wait)
  end
end
if not refused then
  for i = 1, n do
    redis.call('ZADD', KEYS[i], now, ARGV[2])
    redis.call('PEXPIRE', KEYS[i], math.ceil(tonumber(ARGV[2 * i + 2]) * 1000))
  end
end
for i = n + 1, #KEYS do
  waits[i] = redis.call('GET', KEYS[i])
end
return waits
"""
SCRIPT_SHA = hashlib.sha1(SCRIPT.encode(), usedforsecurity=False).hexdigest()  # Redis's name

_local_lock = threading.Lock()


Waits = dict[str, float]  # throttle key → seconds until it admits; empty: admitted


def admit(windows: list[Window], *, now: float, cache: Any,
          read: Sequence[str] = ()) -> tuple[Waits, dict[str, Any]]:
    """Record one request in every window, or in none: the waits of the windows that
    refuse it (empty when it is admitted), and the entries of `read` found in `cache`
    (keys as given to the cache), in the same round trip."""
    if not windows and not read:
        return {}, {}
    table = _throttle_table()
    if table is not None and windows:
        return _admit_table(table, windows, read, now, cache)
    if isinstance(cache, RedisCache):
        return _admit_redis(windows, read, now, cache)
    return _admit_local(windows, read, now, cache)


def _throttle_table() -> Any:
    """The state table when throttles live there (THROTTLE_STORE, profile small)."""
    from django.conf import settings

    if getattr(settings, "THROTTLE_STORE", "cache") != "state-table":
        return None
    from project.pending_work import store

    return store()


def _admit_table(table: Any, windows: list[Window], read: Sequence[str], now: float,
                 cache: Any) -> tuple[Waits, dict[str, Any]]:
    """In the state table (project/throttle_table.py); pages from this process's cache.
    Fails open, as with Redis, when the table cannot be reached."""
    from botocore.exceptions import BotoCoreError, ClientError

    from project.throttle_table import admit_in_table

    try:
        waits = admit_in_table(table, windows, now)
    except (BotoCoreError, ClientError) as exc:
        logger.warning("throttles unavailable, request admitted: %s", exc)
        waits = {}
    return waits, (cache.get_many(list(read)) if read else {})


def _admit_redis(windows: list[Window], read: Sequence[str], now: float,
                 cache: RedisCache) -> tuple[Waits, dict[str, Any]]:
    from redis.exceptions import RedisError

    keys = [cache.make_key(w.key) for w in windows] + [cache.make_key(k) for k in read]
    args: list[Any] = [repr(now), secrets.token_hex(8)]
    for w in windows:
        args += [w.limit, w.duration]
    try:
        reply = run_script(cache._cache, keys, args)
    except RedisError as exc:
        logger.warning("throttles unavailable, request admitted: %s", exc)
        return {}, {}
    waits = {w.key: float(wait) for w, wait in zip(windows, reply, strict=False) if wait}
    loads = cache._cache._serializer.loads  # how Django's RedisCache stores values
    found = {key: loads(raw) for key, raw in zip(read, reply[len(windows):], strict=True)
             if raw is not None}
    return waits, found


def run_script(client: Any, keys: list[str], args: list[Any]) -> Any:
    """The sliding-log script on a Redis cache's client (also payments.stripe_budget's)."""
    if isinstance(client, ReusingRedisCacheClient):  # project.cache's: a kept connection
        return client.run_script(SCRIPT, SCRIPT_SHA, keys, args)
    return eval_script(client.get_client(write=True).execute_command, SCRIPT, SCRIPT_SHA,
                       keys, args)


def _admit_local(windows: list[Window], read: Sequence[str], now: float,
                 cache: Any) -> tuple[Waits, dict[str, Any]]:
    with _local_lock:
        logs = cache.get_many([w.key for w in windows])
        kept, waits = {}, {}
        for w in windows:
            log = [t for t in logs.get(w.key, []) if t > now - w.duration]  # oldest first
            kept[w] = log
            if len(log) >= w.limit:
                freed = log[len(log) - w.limit] if w.limit > 0 else now
                waits[w.key] = freed + w.duration - now
        if not waits:
            for w, log in kept.items():
                cache.set(w.key, [*log, now], w.duration)
    return waits, (cache.get_many(list(read)) if read else {})


# The waits decided for a request, by throttle key: set by the request's first throttle.
_DECIDED = "_marquee_throttle_waits"


def decision(windows: list[Window], waits: Waits) -> dict[str, float | None]:
    """Per throttle key: None (admitted) or the wait before it admits one more."""
    return {w.key: waits.get(w.key) for w in windows}


def hand_on(request: HttpRequest, windows: list[Window], waits: Waits) -> None:
    """Let the throttles DRF runs for `request` use a decision already taken (and already
    recorded) before DRF wrapped it: DRF's Request reads attributes through to it."""
    setattr(request, _DECIDED, decision(windows, waits))


def admit_anonymous(request: HttpRequest, throttles: Iterable[throttling.BaseThrottle], *,
                    read: Sequence[str] = ()) -> tuple[bool, dict[str, Any]] | None:
    """Before DRF runs: decide a view's throttles for `request` and read `read`, in one
    round trip, and hand the decision on to DRF. (admitted, entries found), or None when
    only DRF can decide (see anonymous_windows)."""
    windows = anonymous_windows(throttles, request)
    if windows is None:
        return None
    waits, found = admit(windows, now=WindowRateThrottle.timer(), read=read,
                         cache=caches[WindowRateThrottle.cache_alias])
    hand_on(request, windows, waits)
    return not waits, found


def anonymous_windows(throttles: Iterable[throttling.BaseThrottle],
                      request: HttpRequest) -> list[Window] | None:
    """The windows of a view's `throttles` for a request the view does not authenticate
    (no authentication classes: DRF's user is None), from the raw HttpRequest; None when
    one of them is not an AnonRateThrottle, so that only DRF can decide."""
    windows: dict[str, Window] = {}
    for throttle in throttles:
        if not isinstance(throttle, AnonRateThrottle):
            return None
        if throttle.rate is not None:
            key = throttle.cache_format % {"scope": throttle.scope,
                                           "ident": throttle.get_ident(request)}
            windows.setdefault(key, Window(key, throttle.num_requests, throttle.duration))
    return list(windows.values())


class WindowRateThrottle(throttling.SimpleRateThrottle):
    """`scope`'s rate (DEFAULT_THROTTLE_RATES) per identity (`get_cache_key`), decided
    together with the other WindowRateThrottles of the view."""

    cache_alias = DEFAULT_CACHE_ALIAS
    cache_format = "throttle:%(scope)s:%(ident)s"  # not DRF's keys: those hold pickled lists

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        self._wait: float | None = None
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        decided = getattr(request, _DECIDED, None)
        if decided is None:  # the request's first throttle: decide for the view's all
            decided = self._decide(self._windows(request, view))
            setattr(request, _DECIDED, decided)
        elif self.key not in decided:  # not among the view's get_throttles(): on its own
            decided.update(self._decide(self._windows(request, None)))
        self._wait = decided[self.key]
        return self._wait is None

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)

    def _windows(self, request, view) -> list[Window]:
        """This throttle's window first, then those of the view's other throttles."""
        windows = {self.key: Window(self.key, self.num_requests, self.duration)}
        for other in view.get_throttles() if view is not None else ():
            if isinstance(other, WindowRateThrottle) and other.rate is not None:
                key = other.get_cache_key(request, view)
                if key is not None:
                    windows.setdefault(key, Window(key, other.num_requests, other.duration))
        return list(windows.values())

    def _decide(self, windows: list[Window]) -> dict[str, float | None]:
        waits, _ = admit(windows, now=self.timer(), cache=caches[self.cache_alias])
        return decision(windows, waits)


class AnonRateThrottle(WindowRateThrottle, throttling.AnonRateThrottle):
    """Anonymous reads, per client address."""


class UserRateThrottle(WindowRateThrottle, throttling.UserRateThrottle):
    """Signed-in requests, per user."""


class ReservationRateThrottle(WindowRateThrottle, throttling.UserRateThrottle):
    """Reservations per user: a scalper's bot cannot hammer the box office."""

    scope = "reservations"
