"""The public shows list per language (issue 26): cached pages are kept per language, so a
French or English read must cost what a read in no particular language costs.

Through Django's test client with the whole middleware stack (LocaleMiddleware included) and
a Redis cache (BENCH_REDIS_URL, default db 13): the cached GET /api/v1/shows/ asked with
`Accept-Language: fr` and with `en`, against the same list asked with no language (the
request every client sent before issue 26), interleaved in one run; and the SQL queries of
each, cached (0) and uncached (the same count in every language).

    python -m bench.languages
"""

from __future__ import annotations

import os
import time

from bench.common import ensure_test_environment, row, table, use_bench_database

SHOWS = "/api/v1/shows/"
VARIANTS = {"no language": {}, "fr": {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"},
            "en": {"HTTP_ACCEPT_LANGUAGE": "en-GB,en;q=0.9"}}


def _shows(n: int = 20) -> None:
    import datetime as dt

    from django.utils import timezone

    from shows.models import Show, Venue
    from shows.services import performance_create

    venue, _ = Venue.objects.get_or_create(name="Languages Hall", defaults={"city": "Lyon"})
    for i in range(n):
        show = Show.objects.create(
            slug=f"lang-{i}", title=f"Show {i}", summary="In English.", duration_minutes=60,
            published=True, translations={"fr": {"title": f"Spectacle {i}",
                                                 "summary": "En français."}})
        performance_create(show=show, venue=venue, capacity=100, price_cents=1000,
                                   starts_at=timezone.now() + dt.timedelta(days=1 + i))


def _queries(client, headers: dict) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(SHOWS, **headers).status_code == 200
    return len(ctx.captured_queries)


def measure(rounds: int = 15, batch: int = 40) -> dict:
    from django.core.cache import cache
    from django.test import Client, override_settings
    ensure_test_environment()
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
    caches = {"default": {"BACKEND": "project.cache.ResilientRedisCache", "LOCATION": redis_url,
                          "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}}}
    # The throttles would refuse this many reads from one address: generous rates here.
    rates = {"anon": "1000000/min", "user": "1000000/min", "reservations": "1000000/min"}
    from django.conf import settings

    framework = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    _shows()
    client = Client()
    with override_settings(CACHES=caches, REST_FRAMEWORK=framework):
        from rest_framework.settings import api_settings

        api_settings.reload()
        uncached = {}
        for name, headers in VARIANTS.items():
            cache.clear()
            uncached[name] = _queries(client, headers)
        for headers in VARIANTS.values():  # each language's page computed once
            client.get(SHOWS, **headers)
        cached = {name: _queries(client, headers) for name, headers in VARIANTS.items()}
        titles = {name: client.get(SHOWS, **headers).json()["results"][0]["title"]
                  for name, headers in VARIANTS.items()}
        samples: dict[str, list[float]] = {name: [] for name in VARIANTS}
        for _ in range(rounds):
            for name, headers in VARIANTS.items():
                started = time.perf_counter()
                for _ in range(batch):
                    client.get(SHOWS, **headers)
                samples[name].append((time.perf_counter() - started) * 1000 / batch)
        cache.clear()
    api_settings.reload()
    return {"uncached": uncached, "cached": cached, "titles": titles, "samples": samples}


def rows(rounds: int = 15, batch: int = 40) -> list[str]:
    found = measure(rounds, batch)
    samples, base = found["samples"], found["samples"]["no language"]
    out = [row(f"cached GET {SHOWS} in {language} ({found['titles'][language]!r}) vs asked in "
               "no language, same process (target ≤ 1.10)", samples[language], base, "ms",
               higher_is_better=False) for language in ("fr", "en")]
    for kind in ("cached", "uncached"):
        counts = found[kind]
        same = len(set(counts.values())) == 1
        out.append(f"| SQL queries, {kind} GET {SHOWS} per language | "
                   + ", ".join(f"{k}: {v}" for k, v in counts.items())
                   + f" | — | {counts['no language']} in no language "
                   f"| {'met' if same else 'NOT MET'} (the same in every language) |")
    return out


if __name__ == "__main__":
    use_bench_database()
    print(table(rows()))
