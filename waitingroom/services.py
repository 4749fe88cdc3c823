"""The waiting room of an announced on-sale: join it, be admitted, present the admission.

When a performance's room is on (staff's switch, or by itself from its `on_sale_at`
for WAITING_ROOM_AUTO_MINUTES), a reservation needs an admission: a short-lived token,
signed with the secret key, naming the performance and the user, that the room gives
each visitor at their turn (queue.py: first come, first served, WAITING_ROOM_RATE a
second). While fewer arrive than that, everyone is admitted at once.

Losing Redis loses the queue, never the sales: joining then admits at once, and a
reservation without an admission is let through when Redis does not answer.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.cache import DEFAULT_CACHE_ALIAS, caches
from django.core.cache.backends.redis import RedisCache
from django.utils import timezone

from shows.models import Performance

from . import errors, queue

logger = logging.getLogger(__name__)

SALT = "marquee.waiting-room.admission"
QUEUE_TTL = 24 * 3600  # a queue outlives its on-sale by a day, then Redis drops it
cache_alias = DEFAULT_CACHE_ALIAS


@dataclass(frozen=True)
class Standing:
    """Where a visitor stands: in line (position ≥ 1, an estimate) or admitted."""

    performance_id: int
    number: int | None        # arrival number; None when no queue was needed
    position: int             # 1: next in line; 0: admitted
    estimate_seconds: int     # until admitted
    admission: str | None     # the token, once admitted
    admission_expires_at: dt.datetime | None
    retry_after_seconds: int  # when to ask again


def room_active(*, performance: Performance, now: dt.datetime) -> bool:
    """Staff's switch, or the announced on-sale's window."""
    if performance.waiting_room:
        return True
    opens = performance.on_sale_at if settings.WAITING_ROOM_AT_ON_SALE else None
    return opens is not None and opens <= now < opens + dt.timedelta(
        minutes=settings.WAITING_ROOM_AUTO_MINUTES)


def room_join(*, user: AbstractBaseUser, performance_id: int,
              now: dt.datetime | None = None) -> Standing:
    """Take a place in line (or keep the one taken before: a reload never moves anyone
    forward), or be admitted at once when the room is off or Redis cannot be reached."""
    return _standing(user, performance_id, now or timezone.now(), join=True)


def room_standing(*, user: AbstractBaseUser, performance_id: int,
                  now: dt.datetime | None = None) -> Standing:
    """Where the visitor stands now (NotQueued if they never joined an active room)."""
    return _standing(user, performance_id, now or timezone.now(), join=False)


def admission_issue(*, user_id: int, performance_id: int, now: dt.datetime) -> str:
    return signing.Signer(salt=SALT).sign(
        f"{performance_id}.{user_id}.{int(now.timestamp())}")


def admission_check(*, performance: Performance, user: AbstractBaseUser,
                    admission: str | None, now: dt.datetime) -> None:
    """Inside a reservation: raise unless the room is off, or `admission` is this user's
    for this performance and still valid. Without one, pass only when Redis is down
    (no room then)."""
    if not room_active(performance=performance, now=now):
        return
    if admission is None:
        cache = _redis()
        if cache is None or not _answers(cache):  # no Redis, no queue: no room
            return
        raise errors.AdmissionRequired()
    try:
        performance_id, user_id, issued = signing.Signer(salt=SALT).unsign(admission).split(".")
        if (int(performance_id), int(user_id)) != (performance.pk, user.pk):
            raise ValueError("someone else's admission")
        issued_at = int(issued)
    except (signing.BadSignature, ValueError):
        raise errors.AdmissionInvalid() from None
    if now.timestamp() > issued_at + settings.WAITING_ROOM_ADMISSION_SECONDS:
        raise errors.AdmissionExpired()


def _standing(user: AbstractBaseUser, performance_id: int, now: dt.datetime, *,
              join: bool) -> Standing:
    performance = Performance.objects.filter(pk=performance_id, show__published=True).only(
        "id", "waiting_room", "on_sale_at").first()
    if performance is None:
        raise errors.PerformanceNotFound()
    cache = _redis() if room_active(performance=performance, now=now) else None
    if cache is None:
        return _admitted(user, performance_id, now, number=None)
    from redis.exceptions import RedisError

    rate = max(settings.WAITING_ROOM_RATE, 0.001)
    try:
        place = queue.place(cache, performance_id=performance_id, user_id=user.pk,
                            now=now.timestamp(), rate=rate, ttl=QUEUE_TTL, join=join)
    except RedisError as exc:
        logger.warning("waiting room unavailable, visitors admitted at once: %s", exc)
        return _admitted(user, performance_id, now, number=None)
    if place is None:
        raise errors.NotQueued()
    wait = place.admitted_at - now.timestamp()
    if wait <= 0:
        return _admitted(user, performance_id, now, number=place.number)
    return Standing(performance_id=performance_id, number=place.number,
                    position=max(math.ceil(wait * rate - 1e-9), 1),
                    estimate_seconds=math.ceil(wait),
                    admission=None, admission_expires_at=None,
                    retry_after_seconds=max(1, min(math.ceil(wait / 4), 10, math.ceil(wait))))


def _admitted(user: AbstractBaseUser, performance_id: int, now: dt.datetime, *,
              number: int | None) -> Standing:
    issued = now.replace(microsecond=0)
    return Standing(performance_id=performance_id, number=number, position=0,
                    estimate_seconds=0,
                    admission=admission_issue(user_id=user.pk, performance_id=performance_id,
                                              now=issued),
                    admission_expires_at=issued + dt.timedelta(
                        seconds=settings.WAITING_ROOM_ADMISSION_SECONDS),
                    retry_after_seconds=0)


def _redis() -> RedisCache | None:
    """The Redis cache that keeps the queues (None: not configured, as under `make run`)."""
    cache = caches[cache_alias]
    return cache if isinstance(cache, RedisCache) else None


def _answers(cache: RedisCache) -> bool:
    is_available = getattr(cache, "is_available", None)  # project.cache's: one PING
    return bool(is_available()) if is_available is not None else True
