"""SQL queries per request for each public endpoint, at 5 and at 50 shows.

Floor: the count at 5 shows. The ratio must be 1.00: a list or a page never costs one
query per row. Uncached requests (no cache configured), through Django's test client.

    python -m bench.queries
"""

from __future__ import annotations

import datetime as dt

from bench.common import ensure_test_environment, use_bench_database

ENDPOINTS = ["/api/v1/shows/", "/api/v1/shows/{slug}/", "/api/v1/performances/{performance}/",
             "/api/v1/info/", "/api/v1/info/{page}/", "/api/v1/health/"]


def _make_shows(n: int) -> tuple[str, int]:
    from django.utils import timezone

    from info.models import Attachment, InfoPage
    from shows.models import Show, Venue
    from shows.services import performance_create

    venue, _ = Venue.objects.get_or_create(name="Queries Hall", defaults={"city": "Lyon"})
    start = Show.objects.count()
    for i in range(start, n):
        show = Show.objects.create(slug=f"q-{i}", title=f"Show {i}", duration_minutes=60,
                                   published=True)
        for week in range(3):
            performance_create(show=show, venue=venue, capacity=100, price_cents=1000,
                                       starts_at=timezone.now() + dt.timedelta(days=1 + i,
                                                                               weeks=week))
        page = InfoPage.objects.create(slug=f"page-{i}", title=f"Page {i}", published=True)
        Attachment.objects.bulk_create([Attachment(page=page, file=f"attachments/{i}.pdf",
                                                   name=f"{i}.pdf", size=1)])
    show = Show.objects.get(slug="q-0")
    return show.slug, show.performances.first().pk


def count(path: str) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        response = Client().get(path, {"page_size": 100} if path.endswith("s/") else {})
    assert response.status_code == 200, (path, response.status_code)
    return len(ctx.captured_queries)


def measure() -> dict[str, tuple[int, int]]:
    ensure_test_environment()
    results: dict[str, list[int]] = {}
    for n in (5, 50):
        slug, performance = _make_shows(n)
        for template in ENDPOINTS:
            path = template.format(slug=slug, performance=performance, page="page-0")
            results.setdefault(template, []).append(count(path))
    return {k: (v[0], v[1]) for k, v in results.items()}


def rows() -> list[str]:
    return [f"| SQL queries, GET {path} | {at50} at 50 shows | — | {at5} at 5 shows "
            f"| {at50 / at5:.2f} (1.00 is the target) |"
            for path, (at5, at50) in measure().items()]


if __name__ == "__main__":
    use_bench_database()
    from bench.common import table

    print(table(rows()))
