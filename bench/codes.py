"""Vouchers at the box office (issue 24): reservations/s with a voucher vs without, same
run, 8 concurrent clients on one hot performance (PostgreSQL); the CPU each costs (the
client and its PostgreSQL backend: what 8 clients on 2 cores are bound by, and far less
noisy than wall time on a shared machine); and the SQL queries of a returning customer's
POST /api/v1/tickets/ with a voucher (target <= 4).

Two vouchers, each held to the target: one without a use limit (a newsletter or venue-wide
code: the sale reads its row and does not write it; its uses are its orders'); and one with
a limit (10**9, never binding), whose row every sale writes after the performance's (a
second hot row, in the reservation's statement, through marquee_voucher_take: vouchers'
migration 0004).

The with/without figures are measured in interleaved rounds, and each ratio is the median
of the rounds' own ratios (bench.common.row_paired): on a shared machine a round's pair
shares its moment's load, which a ratio of two medians does not cancel.

    python -m bench.codes [--seconds 3] [--repeat 5] [--clients 8]
"""

from __future__ import annotations

import multiprocessing as mp
import time
import uuid
from pathlib import Path

from bench import reservations
from bench.common import row_paired, rush_main

TARGET_QUERIES = 4


def _worker(code: str | None, performance_id: int, user_ids: list[int], seconds: float,
            barrier, results) -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from tickets import errors, services

    users = list(get_user_model().objects.filter(pk__in=user_ids))
    codes = services.CodesRequest(voucher=code) if code else None
    done = 0
    barrier.wait()
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            services.order_reserve(user=users[done % len(users)], performance_id=performance_id,
                                   quantity=1, codes=codes)
            done += 1
        except errors.SoldOut:
            pass
    connection.close()
    results.put(done)


def _voucher(limited: bool = False) -> str:
    from vouchers.models import Voucher

    code = f"BENCH{uuid.uuid4().hex[:10].upper()}"
    Voucher.objects.create(code=code, kind="free", max_uses=10**9 if limited else None)
    return code


def run_once(voucher: str | None, clients: int, seconds: float,
             performances: int = 1) -> float:
    """Reservations per second; with a voucher ("unlimited" or "limited"), a free one on a
    15.00 performance (both kinds are confirmed at once, tickets and all), checked for its
    uses. `performances`: the clients spread over that many (one voucher for all)."""
    from django.db import connections

    from tickets.models import Order
    from vouchers.models import Voucher
    from vouchers.services import voucher_uses_live

    with_voucher = voucher is not None
    shown = [reservations._performance(capacity=10_000_000,
                                       price_cents=1500 if with_voucher else 0)
             for _ in range(performances)]
    code = _voucher(limited=voucher == "limited") if with_voucher else None
    user_ids = reservations._users(clients * 2000)
    connections.close_all()
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(clients + 1), ctx.Queue()
    share = len(user_ids) // clients
    procs = [ctx.Process(target=_worker, args=(code, shown[i % performances].pk,
                                               user_ids[i * share:(i + 1) * share],
                                               seconds, barrier, results))
             for i in range(clients)]
    for p in procs:
        p.start()
    barrier.wait()
    total = sum(results.get(timeout=seconds + 120) for _ in procs)
    for p in procs:
        p.join()
    for performance in shown:
        reservations.check_not_oversold(performance.pk, "ours")
    if code:
        found = Voucher.objects.get(code=code)
        assert voucher_uses_live(voucher_id=found.pk) == total == Order.objects.filter(
            performance__in=shown, voucher__isnull=False).count()
        assert found.uses == (total if voucher == "limited" else 0)
    return total / seconds


def _backend_cpu_seconds() -> float | None:
    """CPU time used so far by this connection's PostgreSQL backend (a local server's
    /proc), or None where it cannot be read."""
    import os

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu_per_reservation(with_voucher: bool, n: int = 1000) -> float | None:
    """Milliseconds of CPU per reservation, one client: its process and its PostgreSQL
    backend. On 2 shared cores, 8 clients saturate the CPU, so their throughput is one
    over this; CPU time moves far less than wall time with the machine's other load."""
    import time

    from django.contrib.auth import get_user_model

    from tickets import services

    performance = reservations._performance(capacity=10_000_000,
                                            price_cents=1500 if with_voucher else 0)
    codes = services.CodesRequest(voucher=_voucher()) if with_voucher else None
    users = list(get_user_model().objects.filter(pk__in=reservations._users(n)))
    backend, client = _backend_cpu_seconds(), time.process_time()
    for user in users:
        services.order_reserve(user=user, performance_id=performance.pk, quantity=1,
                               codes=codes)
    backend_after = _backend_cpu_seconds()
    if backend is None or backend_after is None:
        return None
    return (time.process_time() - client + backend_after - backend) / n * 1000


def queries_with_voucher() -> int:
    """A returning customer's POST /api/v1/tickets/ with a voucher, end to end."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from devauth.keys import issue_access_token

    sub = f"bench-v-{uuid.uuid4().hex}"
    get_user_model().objects.create(username=sub)
    performance = reservations._performance(capacity=100, price_cents=1500)
    code = _voucher()
    client = Client(headers={"Authorization": f"Bearer {issue_access_token(sub=sub)}"})
    first = reservations._performance(capacity=100)
    client.post("/api/v1/tickets/", {"performance": first.pk, "quantity": 1},
                content_type="application/json")  # warm: the customer has been seen
    with CaptureQueriesContext(connection) as ctx:
        response = client.post("/api/v1/tickets/", {"performance": performance.pk,
                                                     "quantity": 2, "voucher": code.lower()},
                               content_type="application/json")
    assert response.status_code == 201, response.content
    return len(ctx.captured_queries)


def rows(reps: int, seconds: float, clients: int) -> list[str]:
    plain, coded, limited = [], [], []
    for _ in range(reps):  # interleaved, so drift hits them alike
        plain.append(run_once(None, clients, seconds))
        coded.append(run_once("unlimited", clients, seconds))
        limited.append(run_once("limited", clients, seconds))
    # One venue-wide code on every performance of an on-sale: 8 clients on 8 performances.
    spread = {"unlimited": [], "limited": []}
    for _ in range(reps):
        for kind, values in spread.items():
            values.append(run_once(kind, clients, seconds, performances=clients))
    n = queries_with_voucher()
    cpu_plain, cpu_coded = [], []
    for _ in range(reps):
        cpu_plain.append(cpu_per_reservation(False))
        cpu_coded.append(cpu_per_reservation(True))
    cpu = [] if None in cpu_plain + cpu_coded else [
        row_paired("CPU per reservation with a voucher vs without (client + its PostgreSQL "
                   "backend, one client; target <= 1.2)", cpu_coded, cpu_plain, "ms",
                   higher_is_better=False)]
    hot = f"{clients} clients, one hot performance (target ratio >= 0.83, i.e. within 1.2x)"
    return [
        row_paired(f"reservations/s with a voucher (no use limit) vs without, {hot}",
                   coded, plain, "res/s", higher_is_better=True),
        row_paired(f"reservations/s with a voucher with a use limit (its row counts each use) "
                   f"vs without, {hot}", limited, plain, "res/s", higher_is_better=True),
        row_paired(f"reservations/s, one voucher on {clients} performances (a client each): "
                   "with a use limit (its row counts each use: every sale of every performance "
                   "writes it) vs without one (read)", spread["limited"], spread["unlimited"],
                   "res/s", higher_is_better=True),
        *cpu,
        f"| SQL queries, returning customer's POST /api/v1/tickets/ with a voucher | {n} | — "
        f"| target ≤ {TARGET_QUERIES} | {'met' if n <= TARGET_QUERIES else 'NOT MET'} |",
    ]


def main() -> None:
    rush_main(__doc__, rows, repeat=5, test_environment=True)  # the test client's host


if __name__ == "__main__":
    main()
