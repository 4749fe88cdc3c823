"""Reservations per second on one hot performance, 8 concurrent clients (PostgreSQL).

Floor: a single raw SQL statement per reservation that does the conditional UPDATE of the
seat count and the INSERT of the order (autocommit). Ours: `tickets.services.order_reserve`
(seat holding for the per-person cap, order, tickets, conditional UPDATE; one transaction).
Also counts SQL queries per reservation, and checks that nothing was oversold.

    python -m bench.reservations [--seconds 3] [--repeat 3] [--clients 8]
"""

from __future__ import annotations

import multiprocessing as mp
import time
import uuid

from bench.common import repeat, row, rush_arguments, table, use_bench_database

FLOOR_SQL = """
WITH p AS (
    UPDATE shows_performance SET seats_sold = seats_sold + 1
    WHERE id = %s AND NOT cancelled AND seats_sold + 1 <= capacity
    RETURNING id, price_cents, currency)
INSERT INTO tickets_order (id, customer_id, performance_id, quantity, total_cents, currency,
                           status, created_at, updated_at, paid_by_gift_card_cents)
SELECT %s, %s, p.id, 1, p.price_cents, p.currency, 'confirmed', now(), now(), 0 FROM p
"""
# The same floor at K > 1 (issue 20, shows/counters.py): the performance row is read, one
# of its counter rows is written (the function the reservation statement calls).
FLOOR_SPLIT_SQL = """
WITH p AS (
    SELECT id, price_cents, currency FROM shows_performance
    WHERE id = %s AND NOT cancelled AND counter_rows > 1
    AND marquee_seats_take(id, 1, counter_rows))
INSERT INTO tickets_order (id, customer_id, performance_id, quantity, total_cents, currency,
                           status, created_at, updated_at, paid_by_gift_card_cents)
SELECT %s, %s, p.id, 1, p.price_cents, p.currency, 'confirmed', now(), now(), 0 FROM p
"""


def _worker(kind: str, performance_id: int, user_ids: list[int], seconds: float,
            barrier, results, categories: tuple[int, ...] = ()) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from tickets import errors, services
    from tickets.lines import LineRequest

    users = list(get_user_model().objects.filter(pk__in=user_ids))
    # "one_line": 3 seats of one category; "three_lines": 1 seat of each of 3 (issue 21).
    lines = {"one_line": [LineRequest(categories[0], 3)] if categories else None,
             "three_lines": [LineRequest(c, 1) for c in categories]}.get(kind)
    # "hold": a paid performance's reservation writes a pending order in the same one
    # statement and makes no Stripe call (its payment is made at the payment step).
    done = 0
    barrier.wait()
    deadline = time.perf_counter() + seconds
    with connection.cursor() as cursor:
        while time.perf_counter() < deadline:
            user = users[done % len(users)] if not kind.startswith("floor") else users[0]
            if kind.startswith("floor"):
                cursor.execute(FLOOR_SPLIT_SQL if kind == "floor_split" else FLOOR_SQL,
                               [performance_id, uuid.uuid4(), user.pk])
                done += cursor.rowcount
            else:
                try:
                    services.order_reserve(user=user, performance_id=performance_id,
                                           quantity=None if lines else 1, lines=lines)
                    done += 1
                except errors.SoldOut:  # the small oversell check: keep trying until the end
                    pass
    connection.close()
    results.put(done)


def _run_workers(kind: str, performance_id: int, user_ids: list[int], clients: int,
                 seconds: float, categories: tuple[int, ...] = ()) -> int:
    """Fork `clients` processes (each its own connection), release them together."""
    from django.db import connections

    connections.close_all()
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(clients + 1), ctx.Queue()
    share = len(user_ids) // clients
    procs = [ctx.Process(target=_worker, args=(kind, performance_id,
                                               user_ids[i * share:(i + 1) * share],
                                               seconds, barrier, results, categories))
             for i in range(clients)]
    for p in procs:
        p.start()
    barrier.wait()
    total = sum(results.get(timeout=seconds + 120) for _ in procs)
    for p in procs:
        p.join()
    return total


def _performance(capacity: int, price_cents: int = 0):
    from django.utils import timezone

    from shows.models import Show, Venue
    from shows.services import performance_create

    venue, _ = Venue.objects.get_or_create(name="Bench Hall", defaults={"city": "Lyon"})
    show = Show.objects.create(slug=f"bench-{uuid.uuid4().hex[:8]}", title="Bench",
                               duration_minutes=60, published=True)
    return performance_create(
        show=show, venue=venue, capacity=capacity, price_cents=price_cents,
        starts_at=timezone.now()
        + timezone.timedelta(days=30, microseconds=uuid.uuid4().int % 10**9))


def _users(n: int) -> list[int]:
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    return [u.pk for u in user_model.objects.bulk_create(
        user_model(username=f"b-{uuid.uuid4().hex}") for _ in range(n))]


def run_once(kind: str, clients: int, seconds: float, counter_rows: int = 1) -> float:
    """Reservations per second over `seconds`, then the consistency check. `counter_rows`:
    the performance's seat count split over that many rows (shows/counters.py)."""
    from shows.services import category_add

    performance = _performance(capacity=10_000_000, price_cents=1500 if kind == "hold" else 0)
    if counter_rows > 1:
        performance.counter_rows = counter_rows
        performance.save()
    categories: tuple[int, ...] = ()
    if kind in ("one_line", "three_lines"):  # three free categories, the same for both
        categories = (performance.categories.get().pk, *(
            category_add(performance=performance, name=name, price_cents=0).pk
            for name in ("Reduced", "Under 12")))
    # A fresh user each time: the per-person cap never binds.
    total = _run_workers(kind, performance.pk, _users(clients * 2000), clients, seconds,
                         categories)
    check_not_oversold(performance.pk, "ours" if kind in ("one_line", "three_lines")
                       else kind)
    return total / seconds


def check_not_oversold(performance_id: int, kind: str) -> None:
    from shows.models import Performance
    from tickets.models import Order, SeatHolding, Ticket

    p = Performance.objects.get(pk=performance_id)
    p.seats_sold = p.seats_sold_exact  # K > 1: the counter rows' sum (shows/counters.py)
    assert p.seats_sold <= p.capacity
    if kind in ("ours", "hold"):  # a hold's seats are its pending orders' (no tickets yet)
        tickets = Ticket.objects.filter(order__performance_id=performance_id).count() \
            if kind == "ours" else sum(Order.objects.filter(
                performance_id=performance_id, status="pending").values_list("quantity",
                                                                            flat=True))
        held = sum(SeatHolding.objects.filter(performance_id=performance_id)
                   .values_list("seats", flat=True))
        assert p.seats_sold == tickets == held, (p.seats_sold, tickets, held)
    else:
        assert p.seats_sold == Order.objects.filter(performance_id=performance_id).count()


def oversold_check(clients: int) -> int:
    """A 10-seat performance, `clients` processes buying for half a second: seats sold
    beyond capacity (must be 0)."""
    performance = _performance(capacity=10)
    _run_workers("ours", performance.pk, _users(clients * 50), clients, 0.5)
    performance.refresh_from_db()
    check_not_oversold(performance.pk, "ours")
    return max(performance.seats_sold - performance.capacity, 0)


def queries_per_reservation() -> int:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets import services

    performance = _performance(capacity=100)
    user = get_user_model().objects.create(username=f"q-{uuid.uuid4().hex}")
    with CaptureQueriesContext(connection) as ctx:
        services.order_reserve(user=user, performance_id=performance.pk, quantity=2)
    return len(ctx.captured_queries)


def main() -> None:
    args = rush_arguments(__doc__)
    use_bench_database()
    floor, ours = [], []
    for _ in range(args.repeat):  # interleaved, so drift hits both alike
        floor += repeat(lambda: run_once("floor", args.clients, args.seconds), 1)
        ours += repeat(lambda: run_once("ours", args.clients, args.seconds), 1)
    oversold = oversold_check(args.clients)
    print(table([row(f"reservations/s, {args.clients} clients, one hot performance",
                     ours, floor, "res/s", higher_is_better=True)]))
    print(f"\nSQL queries per reservation (order_reserve, no idempotency key): "
          f"{queries_per_reservation()}")
    print(f"oversold seats (10-seat performance, {args.clients} parallel buyers): {oversold}")


if __name__ == "__main__":
    main()
