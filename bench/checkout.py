"""The checkout's costs (issue 12), measured against today's reservation in the same run.

- the hold step (a paid performance's reservation: the pending order, the same one
  statement) vs the free reservation, 8 clients on one hot performance, interleaved;
- SQL queries of a paid reservation through the service, first purchase and returning
  buyer (Stripe is a real localstripe server started here);
- the locks this connection holds at each call to Stripe in reserve → payment step → pay →
  cancel (the pg_locks probe of payments/tests/test_no_lock_held.py): must be none.

    python -m bench.checkout [--seconds 3] [--repeat 3] [--clients 8]
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from bench import reservations
from bench.common import row, rush_main


@contextlib.contextmanager
def localstripe() -> Iterator[str]:
    """A localstripe server on a free port, and settings pointing the payments app at it."""
    from django.conf import settings

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = subprocess.Popen(  # nosec B603 — our venv's localstripe
        [str(Path(sys.executable).with_name("localstripe")), "--port", str(port),
         "--from-scratch"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{url}/js.stripe.com/v3/", timeout=1).close()  # noqa: S310  # nosec B310
                break
            except OSError:
                time.sleep(0.1)
        settings.STRIPE_API_BASE, settings.STRIPE_SECRET_KEY = url, "sk_test_bench"
        settings.STRIPE_PUBLISHABLE_KEY = "pk_test_bench"
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def hold_vs_reservation(reps: int, seconds: float, clients: int) -> tuple[list, list]:
    ours, hold = [], []
    for _ in range(reps):  # interleaved, so drift hits both alike
        ours.append(reservations.run_once("ours", clients, seconds))
        hold.append(reservations.run_once("hold", clients, seconds))
    return hold, ours


def paid_reservation_queries() -> tuple[int, int]:
    """SQL queries of order_reserve on a paid performance: first purchase, returning buyer."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tickets import services

    performance = reservations._performance(capacity=100, price_cents=2000)
    user = get_user_model().objects.create(username=f"q-paid-{time.time_ns()}")
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            services.order_reserve(user=user, performance_id=performance.pk, quantity=1)
        counts.append(len(ctx.captured_queries))
    return counts[0], counts[1]


def locks_at_stripe_calls() -> list[tuple[str, bool, int]]:
    """(Stripe operation, inside a transaction?, locks held) for reserve → pay → cancel."""
    import requests
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection

    from payments import services as payments
    from payments import stripe_api
    from tickets import holds, services

    seen = []
    real_call = stripe_api.call

    def probed(operation, *args, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = pg_backend_pid() AND "
                           "locktype <> 'virtualxid' AND NOT (locktype = 'relation' AND "
                           "relation = 'pg_locks'::regclass)")
            seen.append((operation, connection.in_atomic_block, cursor.fetchone()[0]))
        return real_call(operation, *args, **kwargs)

    payments.call = probed
    try:
        performance = reservations._performance(capacity=10, price_cents=2500)
        user = get_user_model().objects.create(username=f"locks-{time.time_ns()}")
        order = services.order_reserve(user=user, performance_id=performance.pk, quantity=2)
        order = holds.order_payment_prepare(user=user, order_id=order.pk)  # the payment step
        order.refresh_from_db()
        setup = order.payment.setup_intent_id
        card = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2034",
                "cvc": "123"}
        pm = requests.post(f"{settings.STRIPE_API_BASE}/v1/setup_intents/{setup}/confirm",
                           json={"key": settings.STRIPE_PUBLISHABLE_KEY,
                                 "client_secret": order.payment.setup_client_secret,
                                 "payment_method_data": {"type": "card", "card": card}},
                           timeout=10).json()["payment_method"]
        services.order_pay(user=user, order_id=order.pk, payment_method=pm)
        services.order_cancel(order_id=order.pk, user=user)
    finally:
        payments.call = real_call
    return seen


def rows(reps: int, seconds: float, clients: int) -> list[str]:
    hold, ours = hold_vs_reservation(reps, seconds, clients)
    with localstripe():
        first, returning = paid_reservation_queries()
        calls = locks_at_stripe_calls()
    locked = [(op, n) for op, in_tx, n in calls if in_tx or n]
    ratio_ok = sorted(h / o for h, o in zip(hold, ours, strict=True))[len(hold) // 2] >= 0.9
    return [
        row(f"hold step (paid: pending order) vs free reservation, res/s, {clients} clients",
            hold, ours, "res/s", higher_is_better=True)
        + f" target ≥ 0.9: {'met' if ratio_ok else 'NOT MET'} |",
        f"| SQL queries per paid reservation (first purchase / returning buyer) "
        f"| {first} / {returning} | — | target ≤ 6 | "
        f"{'met' if max(first, returning) <= 6 else 'NOT MET'} |",
        f"| Stripe calls made holding a DB lock or transaction (reserve → pay → cancel) "
        f"| {len(locked)} of {len(calls)} | — | target 0 | "
        f"{'met' if not locked else 'NOT MET: ' + str(locked)} |",
    ]


def main() -> None:
    rush_main(__doc__, rows)


if __name__ == "__main__":
    main()
