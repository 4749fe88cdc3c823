"""Stripe's rate limits, respected rather than discovered: one budget for every Lambda.

Stripe answers 429 beyond about 100 operations a second per account in live mode (25 in
test mode) and beyond about 25 a second per API endpoint (each named operation, such as
`payment_intents.create`). Every call Marquee makes first takes a slot in two sliding
one-second logs, the account's and the endpoint's, kept in Redis and taken in one Lua
round trip (project.throttling's script: a slot is taken in both logs or in neither), so
the limit holds across every Lambda environment at once. A call that finds no slot waits
until one frees (the script says how long), with a little jitter so that the waiters of
one instant do not all retry in the same millisecond.

Redis unreachable (or not configured, `make run`): each process keeps its own logs with
`1/STRIPE_RATE_ENVIRONMENTS` of the rates, so that that many environments together stay
under the account's limits; beyond them Stripe's own 429s are retried with backoff
(stripe_api.call). Payments slow down, they never stop.
"""

from __future__ import annotations

import logging
import random
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache

from . import keys

logger = logging.getLogger(__name__)

# Stripe's documented limits ("Rate limits", docs.stripe.com), operations per second.
LIVE_GLOBAL_RATE, TEST_GLOBAL_RATE, ENDPOINT_RATE = 100, 25, 25
# A slot is held 10 % longer than Stripe counts it: a call reaches Stripe some
# milliseconds after it took its slot, and not always the same number.
WINDOW = 1.1  # seconds
JITTER = 0.02  # seconds added at random to a wait, spreading the retries of one instant


@dataclass(frozen=True)
class Rates:
    account: int   # operations per second over every endpoint
    endpoint: int  # operations per second per endpoint


def rates() -> Rates:
    """The configured rates; by default Stripe's documented ones for the key's mode."""
    account = settings.STRIPE_RATE_GLOBAL
    if not account:
        try:
            live = keys.secret_key().startswith(("sk_live_", "rk_live_"))
        except Exception:  # the secret cannot be read: the call fails anyway (stripe_api)
            live = False
        account = LIVE_GLOBAL_RATE if live else TEST_GLOBAL_RATE
    return Rates(account=account, endpoint=settings.STRIPE_RATE_PER_ENDPOINT or ENDPOINT_RATE)


class Budget:
    """Slots for Stripe calls. `timer` and `sleep` are injectable (tests, benchmarks)."""

    cache_alias = DEFAULT_CACHE_ALIAS
    timer = staticmethod(time.time)
    sleep = staticmethod(time.sleep)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._local: dict[str, deque[float]] = {}

    def take(self, operation: str, *, deadline: float) -> float | None:
        """Wait for a slot for `operation` until `deadline` (a `timer()` time): the seconds
        waited, or None when no slot frees before the deadline (nothing was taken)."""
        started = self.timer()
        while True:
            now = self.timer()
            wait = self.try_take(operation, now=now)
            if wait is None:
                return now - started
            wait += random.uniform(0, JITTER)  # noqa: S311  # nosec B311 — jitter, not secrets
            if now + wait > deadline:
                return None
            self.sleep(wait)

    def try_take(self, operation: str, *, now: float) -> float | None:
        """Take a slot now (None), or say how long until one frees (nothing is taken)."""
        limits = rates()
        cache = caches[self.cache_alias]
        if isinstance(cache, RedisCache):
            from redis.exceptions import RedisError

            try:
                return self._take_shared(cache, operation, limits, now)
            except RedisError as exc:
                logger.warning("payments: Stripe budget in Redis unavailable, using this "
                               "process's share: %s", exc)
        share = max(settings.STRIPE_RATE_ENVIRONMENTS, 1)
        return self._take_local(operation, Rates(max(limits.account // share, 1),
                                                 max(limits.endpoint // share, 1)), now)

    def _take_shared(self, cache: RedisCache, operation: str, limits: Rates,
                     now: float) -> float | None:
        from project.throttling import run_script

        logs = [cache.make_key("stripe-budget"), cache.make_key(f"stripe-budget:{operation}")]
        args = [repr(now), secrets.token_hex(8), limits.account, WINDOW, limits.endpoint,
                WINDOW]
        waits = [float(w) for w in run_script(cache._cache, logs, args) if w]
        return max(waits) if waits else None

    def _take_local(self, operation: str, limits: Rates, now: float) -> float | None:
        with self._lock:
            logs = [(self._local.setdefault("", deque()), limits.account),
                    (self._local.setdefault(operation, deque()), limits.endpoint)]
            wait = 0.0
            for log, limit in logs:
                while log and log[0] <= now - WINDOW:
                    log.popleft()
                if len(log) >= limit:
                    wait = max(wait, log[len(log) - limit] + WINDOW - now)
            if wait > 0:
                return wait
            for log, _ in logs:
                log.append(now)
            return None

    def forget(self) -> None:
        """Drop this process's logs (tests)."""
        with self._lock:
            self._local.clear()


budget = Budget()
