"""Seated reservations vs general admission, and the seats endpoint (issue 22), same run.

Each sample reserves 4 seats on a 2,000-seat house: general admission (`quantity`) on one
performance, 4 seats by id and 4 best available on a seated one (a fresh user each time,
the three kinds interleaved so drift hits them alike), and the SQL queries of each (best
available is chosen inside the reservation statement: as many as general admission). Then
the availability endpoint of
the 2,000-seat house: SQL queries with nothing and with half the house sold (constant),
and its gzipped size (budget 20 KB), beside the layout's.

    python -m bench.seating [--samples 150]
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
import uuid

from bench import reservations
from bench.common import row, summary, table, use_bench_database

GRID = "\n".join(f"R{r:02d}: " + " ".join(["a"] * 25 + ["."] + ["a"] * 25)
                 for r in range(40))  # 40 rows of 50 seats, an aisle in each: 2,000 seats


def _seated():
    from seating.layouts import parse_grid
    from seating.models import Layout
    from seating.services import layout_create, performance_seat

    performance = reservations._performance(capacity=2000)
    category = performance.categories.first()
    if category is None:
        from shows.services import category_add

        category = category_add(performance=performance, name="Stalls", price_cents=0)
    layout = Layout.objects.filter(name="Bench 2000").first() or layout_create(
        venue=performance.venue, name="Bench 2000", seats=parse_grid(GRID))
    performance_seat(performance=performance, layout=layout, zones={"a": category})
    return performance, category, list(layout.seats.order_by("row_rank", "position")
                                       .values_list("id", flat=True))


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def rows(samples: int) -> list[str]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from tickets import services
    from tickets.lines import LineRequest

    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"s-{uuid.uuid4().hex}") for _ in range(3 * samples))
    general = reservations._performance(capacity=2000)
    if not general.categories.exists():
        from shows.services import category_add

        category_add(performance=general, name="Full price", price_cents=0)
    seated, _, seat_ids = _seated()
    best, _, _ = _seated()
    best_category = best.categories.first().pk
    ga, by_id, best_times = [], [], []
    for i in range(samples):
        ga.append(_timed(lambda i=i: services.order_reserve(
            user=users[3 * i], performance_id=general.pk, quantity=4)))
        wanted = seat_ids[(4 * i) % 2000:(4 * i) % 2000 + 4]
        by_id.append(_timed(lambda i=i, wanted=wanted: services.order_reserve(
            user=users[3 * i + 1], performance_id=seated.pk, seats=wanted)))
        best_times.append(_timed(lambda i=i: services.order_reserve(
            user=users[3 * i + 2], performance_id=best.pk, best_available=True,
            lines=[LineRequest(category_id=best_category, quantity=4)])))
    batch = max(samples // 10, 1)

    def medians(values):
        return [sorted(values[i:i + batch])[batch // 2] for i in range(0, samples, batch)]

    out = []
    # The verdict on the ratio the row prints (medians of the batch medians), not another.
    ratio = summary(medians(by_id))[0] / summary(medians(ga))[0]
    out.append(row("seated reservation of 4 seats by id vs general admission of 4",
                   medians(by_id), medians(ga), "ms", higher_is_better=False)
               + f" target ≤ 1.3: {'met' if ratio <= 1.3 else 'NOT MET'} |")
    out.append(row("best available 4 seats (2,000-seat house) vs general admission of 4",
                   medians(best_times), medians(ga), "ms", higher_is_better=False) + " |")

    # Queries per reservation: best available is chosen by the reservation statement
    # itself (PostgreSQL), so it costs what general admission does; by id reads the seats.
    def queries(call) -> int:
        with CaptureQueriesContext(connection) as captured:
            call()
        return len(captured)

    extra = get_user_model().objects.bulk_create(
        get_user_model()(username=f"q-{uuid.uuid4().hex}") for _ in range(3))
    counted = (queries(lambda: services.order_reserve(user=extra[0], performance_id=general.pk,
                                                      quantity=4)),
               queries(lambda: services.order_reserve(user=extra[1], performance_id=seated.pk,
                                                      seats=seat_ids[-4:])),
               queries(lambda: services.order_reserve(
                   user=extra[2], performance_id=best.pk, best_available=True,
                   lines=[LineRequest(category_id=best_category, quantity=4)])))
    out.append(f"| SQL queries per reservation of 4: general admission / by id / best available "
               f"(2,000 seats) | {counted[0]} / {counted[1]} / {counted[2]} | | | best = general "
               f"admission: {'met' if counted[2] == counted[0] else 'NOT MET'} |")

    # The seats endpoint: constant queries, small.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    house, _, house_seats = _seated()
    api = APIClient()
    url = f"/api/v1/performances/{house.pk}/seats/"
    counts, sizes = [], []
    for sold in (0, 1000):
        if sold:
            for i in range(sold // 4):
                services.order_reserve(user=get_user_model().objects.create(
                    username=f"h-{uuid.uuid4().hex}"), performance_id=house.pk,
                    seats=house_seats[4 * i:4 * i + 4])
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
        sizes.append(len(gzip.compress(response.content)))
    layout = api.get(f"/api/v1/layouts/{response.json()['layout']}/")
    layout_gz = len(gzip.compress(json.dumps(layout.json()).encode()))
    out.append(f"| seats endpoint, 2,000 seats: SQL queries with 0 / 1,000 sold | "
               f"{counts[0]} / {counts[1]} | | | constant: "
               f"{'met' if counts[0] == counts[1] else 'NOT MET'} |")
    out.append(f"| seats endpoint, 2,000 seats: bytes gzipped (0 / 1,000 sold) | "
               f"{sizes[0]:,} / {sizes[1]:,} B | | 20,000 B budget | "
               f"{max(sizes) / 20_000:.2f} of budget |")
    out.append(f"| layout endpoint, 2,000 seats: bytes gzipped (cached a day) | "
               f"{layout_gz:,} B | | | |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=150)
    args = parser.parse_args()
    use_bench_database()
    print(table(rows(args.samples)))


if __name__ == "__main__":
    main()
