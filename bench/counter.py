"""A counter sale against an online free reservation, in the same run (PostgreSQL).

Baseline: `tickets.services.order_reserve` of one free seat by an online customer (a fresh
user each time, so the per-person cap never binds). Ours: `staff.counter.counter_sell`, a
cash sale of one seat of a paid category to a walk-in (the venue's walk-in customers with
room under the cap, made ten at a time; the same reservation statement, which writes the
CounterSale row too: no transaction around it).
One client, sales one after another, interleaved in rounds so drift hits both alike: the
milliseconds per sale, the ratio (target ≤ 1.2), and the SQL queries of each.

    python -m bench.counter [--sales 200] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
import uuid

from bench.common import row, table, use_bench_database

TARGET = 1.2


def _performance(price_cents: int):
    from bench.reservations import _performance as bench_performance

    # (performance_create gives it its one category, "Full price", at this price)
    return bench_performance(capacity=10_000_000, price_cents=price_cents)


def _staff():
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from staff.roles import BOX_OFFICE, roles_sync

    roles_sync()
    user = get_user_model().objects.create(username=f"bench-clerk-{uuid.uuid4().hex[:8]}",
                                           is_staff=True)
    user.groups.add(Group.objects.get(name=BOX_OFFICE))
    return get_user_model().objects.get(pk=user.pk)  # no cached permissions


def _online(performance, users) -> float:
    from tickets.lines import LineRequest
    from tickets.services import order_reserve

    category = performance.categories.get().pk
    started = time.perf_counter()
    for user in users:
        order_reserve(user=user, performance_id=performance.pk,
                      lines=[LineRequest(category, 1)])
    return (time.perf_counter() - started) * 1000 / len(users)


def _counter(performance, staff, sales: int) -> float:
    from staff.counter import Sale, counter_sell
    from staff.models import CounterMethod
    from tickets.lines import LineRequest

    category = performance.categories.get().pk
    started = time.perf_counter()
    for _ in range(sales):
        counter_sell(staff=staff, sale=Sale(
            performance_id=performance.pk, lines=[LineRequest(category, 1)],
            method=CounterMethod.CASH, given_cents=2000))
    return (time.perf_counter() - started) * 1000 / sales


def _users(n: int):
    from django.contrib.auth import get_user_model

    model = get_user_model()
    return model.objects.bulk_create(model(username=f"b-{uuid.uuid4().hex}") for _ in range(n))


def queries() -> tuple[int, int]:
    """SQL queries of one online free reservation and of one walk-in counter cash sale."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    free, paid, staff = _performance(0), _performance(1500), _staff()
    _counter(paid, staff, 1)  # the walk-in customer exists, as on any day but the first
    (user,) = _users(1)
    with CaptureQueriesContext(connection) as online:
        _online(free, [user])
    with CaptureQueriesContext(connection) as at_counter:
        _counter(paid, staff, 1)
    return len(online.captured_queries), len(at_counter.captured_queries)


def rows(repeat: int, sales: int) -> list[str]:
    staff = _staff()
    online, at_counter = [], []
    for _ in range(repeat):
        free, paid = _performance(0), _performance(1500)
        users = _users(sales)
        _online(free, users[:5])  # warm both paths (first-query costs) before timing
        _counter(paid, staff, 5)
        online.append(_online(free, users[5:]))
        at_counter.append(_counter(paid, staff, sales))
    online_queries, counter_queries = queries()
    ratio_row = row("counter cash sale (walk-in) vs online free reservation, 1 seat",
                    at_counter, online, "ms", higher_is_better=False)
    return [ratio_row,
            f"| SQL queries: counter sale vs online free reservation | {counter_queries} | — "
            f"| {online_queries} | target: the ratio ≤ {TARGET} |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sales", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    use_bench_database()
    print(table(rows(args.repeat, args.sales)))


if __name__ == "__main__":
    main()
