"""The API over real HTTP, as a user would try it, against floors served by the same server.

gunicorn, 4 sync workers, bench/http_site/settings.py: the production settings (DEBUG off,
PostgreSQL with persistent connections and health checks, the Redis cache, HTTPS behind a
proxy) plus the local token issuer and the floor views. 8 client processes; each request is
a new connection (sync workers close it) carrying `X-Forwarded-Proto: https` and an
`X-Forwarded-For` address from a pool (NUM_PROXIES=1, as behind CloudFront + API Gateway),
so the anonymous throttle sees many clients. Throttle rates are production's defaults.

- POST /api/v1/tickets/, one seat of one hot FREE performance (no Stripe), with RS256
  tokens of 1,000 returning customers from the local issuer; floor: POST
  /bench/floor/reserve/, a bare Django view that runs the same statement
  (tickets.reservation_sql.write_reservation) and nothing else.
- POST /api/v1/tickets/ on one hot PAID performance: a hold (pending order), answered from
  the database alone, since the reservation makes no Stripe call (issue 20: its payment is
  made at the payment step). Compared with the free reservation of the same run: target
  within 1.2 times of it (free rate / paid rate ≤ 1.2).
- GET /api/v1/shows/ (served from Redis); floor: GET /bench/floor/plain/, a plain view.

Subjects and floors alternate in a shuffled order, each repetition on fresh performances.
Every 201 must be a seat sold (no lost or phantom reservation); then the oversold check: a
10-seat free performance, 8 clients posting for a second.

    python -m bench.http_load [--quick]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bench.common import BENCH_DB, PG, ROOT, row

CLIENTS = 8
WORKERS = 4
CUSTOMERS = 1000
ADDRESSES = 1024  # client addresses in X-Forwarded-For
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
TARGET = 0.7  # issue 14: reservations and the cached list at least 0.7 of their floor over HTTP
PAID_TARGET = 1.2  # issue 20: a paid reservation within 1.2 times a free one
SUBJECTS = {  # kind → (method, path, expected status)
    "reserve": ("POST", "/api/v1/tickets/", 201),
    "reserve paid": ("POST", "/api/v1/tickets/", 201),
    "reserve floor": ("POST", "/bench/floor/reserve/", 201),
    "list": ("GET", "/api/v1/shows/", 200),
    "list floor": ("GET", "/bench/floor/plain/", 200),
}


def log(message: str) -> None:
    print(f"[bench http {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- data (bench process)
@dataclass(frozen=True)
class Customer:
    id: int
    token: str


def _customers(n: int) -> list[Customer]:
    """Returning customers: their user exists (username = sub, same email as the token)."""
    from django.contrib.auth import get_user_model

    from devauth import keys

    user_model = get_user_model()
    subs = [str(uuid.uuid4()) for _ in range(n)]
    users = user_model.objects.bulk_create(
        user_model(username=sub, email=f"{sub[:12]}@bench.example") for sub in subs)
    return [Customer(u.pk, keys.issue_access_token(sub=u.username, email=u.email))
            for u in users]


def _free_performances(n: int, capacity: int, price_cents: int = 0) -> list[int]:
    from django.utils import timezone

    from shows.models import Show, Venue
    from shows.services import performance_create

    venue, _ = Venue.objects.get_or_create(name="HTTP Bench Hall", defaults={"city": "Lyon"})
    show = Show.objects.create(slug=f"http-{uuid.uuid4().hex[:8]}", title="HTTP bench",
                               duration_minutes=60, published=True)
    start = timezone.now() + timezone.timedelta(days=60)
    return [performance_create(show=show, venue=venue, capacity=capacity,
                                       price_cents=price_cents,
                                       starts_at=start + timezone.timedelta(minutes=i)).pk
            for i in range(n)]


def _ensure_shows(n: int = 20) -> None:
    """A realistic first page for the list (bench.run has made 50 shows already)."""
    from django.utils import timezone

    from shows.models import Show, Venue
    from shows.services import performance_create

    venue, _ = Venue.objects.get_or_create(name="HTTP Bench Hall", defaults={"city": "Lyon"})
    for i in range(Show.objects.filter(published=True).count(), n):
        show = Show.objects.create(slug=f"http-list-{i}", title=f"Show {i}",
                                   duration_minutes=90, published=True)
        performance_create(show=show, venue=venue, capacity=100, price_cents=1500,
                                   starts_at=timezone.now() + timezone.timedelta(days=3 + i))


def _sold(performance_id: int) -> tuple[int, int, int]:
    """(seats sold, tickets issued, seats held): equal unless a reservation was torn."""
    from shows.models import Performance
    from tickets.models import SeatHolding, Ticket

    sold = Performance.objects.get(pk=performance_id).seats_sold
    tickets = Ticket.objects.filter(order__performance_id=performance_id).count()
    held = sum(SeatHolding.objects.filter(performance_id=performance_id)
               .values_list("seats", flat=True))
    return sold, tickets, held


# ---------------------------------------------------------------- requests (raw HTTP/1.1)
def _address(i: int) -> str:
    return f"10.{(i >> 8) & 255}.{i & 255}.7"


def _raw(method: str, path: str, address: str, *, body: dict | None = None,
         token: str | None = None) -> bytes:
    payload = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close",
             "Accept: application/json", "X-Forwarded-Proto: https",
             f"X-Forwarded-For: {address}"]
    if token:
        lines.append(f"Authorization: Bearer {token}")
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


def requests_for(kind: str, client: int, customers: list[Customer],
                 performance: int | None) -> list[bytes]:
    """What client number `client` sends, in turn: its share of the customers (POSTs) or
    of the addresses (GETs)."""
    method, path, _ = SUBJECTS[kind]
    if kind in ("reserve", "reserve paid"):
        return [_raw(method, path, _address(c.id % ADDRESSES), token=c.token,
                     body={"performance": performance, "quantity": 1})
                for c in customers[client::CLIENTS]]
    if kind == "reserve floor":
        from shows.models import PriceCategory

        category = PriceCategory.objects.filter(performance_id=performance).values_list(
            "pk", flat=True).first()
        return [_raw(method, path, _address(c.id % ADDRESSES),
                     body={"performance": performance, "customer": c.id, "quantity": 1,
                           "category": category, "price_cents": 0, "currency": "EUR"})
                for c in customers[client::CLIENTS]]
    return [_raw(method, path, _address(a)) for a in range(client, ADDRESSES, CLIENTS)]


# ---------------------------------------------------------------- clients (forked)
def _exchange(address: tuple[str, int], request: bytes) -> int:
    with socket.create_connection(address, timeout=30) as sock:
        sock.sendall(request)
        head = sock.recv(65536)
        while sock.recv(65536):  # the server closes after the response
            pass
    return int(head[9:12]) if head[:5] == b"HTTP/" else 0


def _client(port: int, requests: list[bytes], expected: int, seconds: float, barrier,
            results) -> None:
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    address = ("127.0.0.1", port)
    barrier.wait()
    started = time.perf_counter()
    deadline = started + seconds
    i = 0
    while (sent := time.perf_counter()) < deadline:
        try:
            status = _exchange(address, requests[i % len(requests)])
        except OSError:
            status = -1
        done = time.perf_counter()
        statuses[status] += 1
        if status == expected:
            latencies.append(done - sent)
        i += 1
    results.put((statuses, latencies, time.perf_counter() - started))


@dataclass
class Run:
    rate: float  # expected responses per second, all clients
    p50_ms: float
    p99_ms: float
    statuses: Counter


def load(port: int, kind: str, customers: list[Customer], performance: int | None,
         seconds: float) -> Run:
    """`CLIENTS` processes, released together, for `seconds`."""
    expected = SUBJECTS[kind][2]
    ctx = mp.get_context("fork")
    barrier, results = ctx.Barrier(CLIENTS + 1), ctx.Queue()
    procs = [ctx.Process(target=_client, args=(
        port, requests_for(kind, c, customers, performance), expected, seconds, barrier,
        results)) for c in range(CLIENTS)]
    for p in procs:
        p.start()
    barrier.wait()
    parts = [results.get(timeout=seconds + 60) for _ in procs]
    for p in procs:
        p.join()
    statuses: Counter[int] = Counter()
    latencies: list[float] = []
    rate = 0.0
    for client_statuses, client_latencies, elapsed in parts:
        statuses += client_statuses
        latencies += client_latencies
        rate += len(client_latencies) / elapsed
    latencies.sort()
    pick = (lambda q: latencies[min(int(q * len(latencies)), len(latencies) - 1)] * 1000) \
        if latencies else (lambda q: float("nan"))
    return Run(rate, pick(0.50), pick(0.99), statuses)


# ---------------------------------------------------------------- the server
class Server:
    """gunicorn with the bench settings, on a free port, logs in var/bench-http.log."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.log = ROOT / "var" / "bench-http.log"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if k in {"PATH", "LANG", "HOME"}}
        env.update({
            "DJANGO_SETTINGS_MODULE": "bench.http_site.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"{PG}/{BENCH_DB}",
            "REDIS_URL": REDIS_URL,
            "NUM_PROXIES": "1",
            "LOG_LEVEL": "WARNING",
        })
        self.log.parent.mkdir(exist_ok=True)
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS),
                 "--bind", f"127.0.0.1:{self.port}", "--backlog", "2048",
                 "--log-level", "warning", "project.wsgi:application"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        probe = _raw("GET", "/bench/floor/plain/", "10.0.0.1")
        while True:
            try:
                if _exchange(("127.0.0.1", self.port), probe) == 200:
                    return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"gunicorn did not start; see {self.log}")
            time.sleep(0.2)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def _pids(*args: str) -> list[int]:
    found = subprocess.run(["pgrep", *args], capture_output=True, text=True).stdout
    return [int(pid) for pid in found.split()]


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of `pids` so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- the table
def measure(reps: int, seconds: float) -> tuple[list[str], list[str]]:
    """(table rows, notes). Django must be set up on the bench database (bench.common)."""
    from django.db import connections

    log(f"{CUSTOMERS} customers and their tokens, free performances")
    customers = _customers(CUSTOMERS)
    _ensure_shows()
    hot = iter(_free_performances(2 * reps + 2, capacity=10_000_000))
    paid = iter(_free_performances(reps + 1, capacity=10_000_000, price_cents=2500))
    small = _free_performances(1, capacity=10)[0]
    connections.close_all()  # before forking the clients
    _flush_redis()
    server = Server()
    server.start()
    runs: dict[str, list[Run]] = {kind: [] for kind in SUBJECTS}
    # Where the time goes: CPU per response of the gunicorn workers, Redis and PostgreSQL.
    workers, redis = _pids("-P", str(server.proc.pid)), _pids("-x", "redis-server")
    cpu: dict[str, tuple[list[float], ...]] = {kind: ([], [], []) for kind in SUBJECTS}
    checks: list[tuple[str, int, int]] = []  # (kind, performance, 201s)
    try:
        log(f"gunicorn on :{server.port}; warm-up")
        warm = next(hot), next(hot), next(paid)
        for kind in SUBJECTS:
            performance = {"reserve": warm[0], "reserve paid": warm[2]}.get(kind, warm[1])
            load(server.port, kind, customers, performance, 0.5 if seconds < 2 else 1.0)
        for rep in range(reps):
            order = list(SUBJECTS)
            random.shuffle(order)
            for kind in order:
                performance = next(paid) if kind == "reserve paid" else \
                    next(hot) if kind.startswith("reserve") else None
                postgres = _pids("-f", f"postgres: .* {BENCH_DB} ")  # the workers' backends
                before = [_cpu_seconds(p) for p in (workers, redis, postgres)]
                run = load(server.port, kind, customers, performance, seconds)
                runs[kind].append(run)
                served = sum(run.statuses.values()) or 1
                for i, pids in enumerate((workers, redis, postgres)):
                    cpu[kind][i].append((_cpu_seconds(pids) - before[i]) / served)
                if performance is not None:
                    checks.append((kind, performance, run.statuses[201]))
            log(f"rep {rep + 1}/{reps}: " + ", ".join(
                f"{kind} {runs[kind][-1].rate:,.0f}/s p50 {runs[kind][-1].p50_ms:.1f} ms"
                for kind in SUBJECTS))
        oversell = load(server.port, "reserve", customers, small, 1.0)
    finally:
        server.stop()

    notes = []
    for kind, performance, created in checks:
        sold, tickets, held = _sold(performance)
        if kind == "reserve paid":  # holds: seats held, no tickets until paid
            tickets = created if tickets == 0 else -tickets
        if not sold == tickets == held == created:
            notes.append(f"INCONSISTENT {kind}: {created} × 201 but {sold} seats sold, "
                         f"{tickets} tickets, {held} held (performance {performance})")
    sold, tickets, held = _sold(small)
    oversold = max(sold - 10, 0) + max(oversell.statuses[201] - 10, 0)
    consistent = sold == tickets == held == oversell.statuses[201]
    for kind in SUBJECTS:
        expected = SUBJECTS[kind][2]
        other = sum((r.statuses for r in runs[kind]), Counter())
        other.pop(expected, None)
        if other:
            notes.append(f"{kind}: responses other than {expected}: {dict(other)}")
    notes.append("CPU per response, gunicorn workers + Redis + PostgreSQL (µs, median): "
                 + ", ".join(f"{kind} " + " + ".join(
                     f"{statistics.median(part) * 1e6:.0f}" for part in cpu[kind])
                     for kind in SUBJECTS))
    notes.append(f"oversold check: {oversell.statuses[201]} × 201, "
                 f"{oversell.statuses[409]} × 409, seats sold {sold}/10, tickets {tickets}, "
                 f"held {held}")

    def ratio(kind: str, base: str | None = None) -> float:
        return (statistics.median(r.rate for r in runs[kind])
                / statistics.median(r.rate for r in runs[base or f"{kind} floor"]))

    def rows_for(kind: str, what: str, subject: str, floor: str, unit: str) -> list[str]:
        ours, base = runs[kind], runs[f"{kind} floor"]
        return [
            row(f"HTTP {what}, {subject} vs {floor}", [r.rate for r in ours],
                [r.rate for r in base], unit, higher_is_better=True),
            row(f"HTTP p50 latency, {subject} vs {floor}", [r.p50_ms for r in ours],
                [r.p50_ms for r in base], "ms", higher_is_better=False),
            row(f"HTTP p99 latency, {subject} vs {floor}", [r.p99_ms for r in ours],
                [r.p99_ms for r in base], "ms", higher_is_better=False),
        ]

    setup = f"gunicorn {WORKERS} workers, {CLIENTS} clients"
    table_rows = [
        *rows_for("reserve", "reservations/s", f"POST /api/v1/tickets/ ({setup}, one hot "
                  f"free performance, tokens of {CUSTOMERS} customers)",
                  "bare Django view running write_reservation", "res/s"),
        row(f"HTTP reservations/s, paid hold vs free reservation (POST /api/v1/tickets/, "
            f"{setup}, one hot performance each)", [r.rate for r in runs["reserve paid"]],
            [r.rate for r in runs["reserve"]], "res/s", higher_is_better=True),
        row("HTTP p50 latency, paid hold vs free reservation",
            [r.p50_ms for r in runs["reserve paid"]], [r.p50_ms for r in runs["reserve"]],
            "ms", higher_is_better=False),
        *rows_for("list", "requests/s", f"GET /api/v1/shows/ (Redis-cached, {setup})",
                  "plain Django view", "req/s"),
        f"| oversold seats over HTTP (10 free seats, {CLIENTS} clients, 1 s) | {oversold} | — "
        f"| 0 | {'met' if oversold == 0 and consistent else 'NOT MET'} (target 0) |",
    ]
    for kind, name in (("reserve", "HTTP reservations"), ("list", "HTTP cached list")):
        value = ratio(kind)
        table_rows.append(f"| target: {name} ≥ {TARGET} × same-run floor | {value:.2f} | — "
                          f"| {TARGET} | {'met' if value >= TARGET else 'NOT MET'} |")
    slower = 1 / ratio("reserve paid", "reserve")
    table_rows.append(f"| target: HTTP paid reservation within {PAID_TARGET} × a free one "
                      f"(free rate / paid rate) | {slower:.2f} | — | {PAID_TARGET} | "
                      f"{'met' if slower <= PAID_TARGET else 'NOT MET'} |")
    return table_rows, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="one short repetition")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    from bench.common import table, use_bench_database

    started = time.perf_counter()
    use_bench_database()
    rows, notes = measure(1 if args.quick else args.reps, 1.0 if args.quick else args.seconds)
    print(table(rows))
    print("\n" + "\n".join(notes))
    print(f"\nwall time: {time.perf_counter() - started:.0f} s (nproc {os.cpu_count()})")


if __name__ == "__main__":
    main()
