"""Read-through cache of the public show pages, kept as the JSON the API answers.

Each cached page is stored with the generation it was computed in. A staff edit (show,
performance, venue) bumps the generation after commit, so every cached page is stale at
once and the next read sees the edit. Reservations, expiries and cancellations change
only seat counts and leave the pages alone: CloudFront keeps the same pages for seconds
anyway (DEPLOY.md, "Public pages at the edge"), so counts refresh by their TTLs, which
also bound what time alone changes (a performance starting). A waiting list starting or
emptying (sold out while someone waits) deletes its show's pages (`invalidate_seats`).

Pages are kept per language (the request's, from Accept-Language: titles, summaries and
descriptions are translated), so each key names its language.

A read is one cache round trip: the generation and the page come together (`page_keys`),
in one `get_many`, or with the request's throttles (shows.views.CachedPageApi).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from languages.selectors import active_language

GENERATION_KEY = "shows:generation"
LIST_TTL = 60
DETAIL_TTL = 5
MISS = object()  # no current page: compute it


def list_key(params: dict[str, Any], language: str | None = None) -> str:
    digest = hashlib.sha256(repr(sorted(params.items())).encode()).hexdigest()[:32]
    return f"shows:json:{language or active_language()}:list:{digest}"


def show_key(slug: str, language: str | None = None) -> str:
    return f"shows:json:{language or active_language()}:show:{slug}"


def performance_key(performance_id: int, language: str | None = None) -> str:
    return f"shows:json:{language or active_language()}:performance:{performance_id}"


def page_keys(key: str) -> list[str]:
    """What one read of the page under `key` fetches."""
    return [GENERATION_KEY, key]


def current(found: dict[str, Any], key: str) -> Any:
    """The page under `key` in `found` (a read of `page_keys(key)`) if it was computed in
    the current generation, else MISS."""
    generation, entry = found.get(GENERATION_KEY), found.get(key)
    if entry is not None and generation is not None and entry[0] == generation:
        return entry[1]
    return MISS


def read_through(key: str, compute: Callable[[], Any], ttl: int,
                 found: dict[str, Any] | None = None) -> Any:
    """The cached value, or compute it and cache it. `None` results are cached too.
    `found`: a read of `page_keys(key)` this request already made."""
    if found is None:
        found = cache.get_many(page_keys(key))
    value = current(found, key)
    if value is not MISS:
        return value
    generation = found.get(GENERATION_KEY)
    if generation is None:
        # A fresh value, never an old one: pages cached under an evicted generation must
        # not come back to life.
        cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
        generation = cache.get(GENERATION_KEY)
    value = compute()
    if generation is not None:  # no cache at all (Redis down): nothing to store
        cache.set(key, (generation, value), ttl)
    return value


def invalidate_all() -> None:
    """After a staff edit: every show page, list and performance becomes stale."""
    transaction.on_commit(_bump_generation)


def invalidate_seats(*, slug: str, performance_id: int) -> None:
    """After a reservation or cancellation commits: the pages that show its seats."""
    languages = [code for code, _name in settings.LANGUAGES]
    transaction.on_commit(lambda: cache.delete_many(
        [show_key(slug, code) for code in languages]
        + [performance_key(performance_id, code) for code in languages]))


def _bump_generation() -> None:
    cache.set(GENERATION_KEY, time.time_ns(), timeout=None)
