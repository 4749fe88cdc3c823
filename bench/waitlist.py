"""The release path with a waiting list vs today's cancel (issue 16), same run.

A cancel that frees seats of a performance nobody waits for (today's path) against one
whose seats go, in the same transaction, to the head of a waiting list as an offer (a
free performance: the offer is confirmed with its tickets; a paid offer's Stripe calls
come after the commit, with no lock held, as for any hold). Each sample cancels one order
on a fresh performance; the two kinds alternate so drift hits both alike.

    python -m bench.waitlist [--samples 200]
"""

from __future__ import annotations

import argparse
import time
import uuid

from bench import reservations
from bench.common import row, table, use_bench_database


def _cancel_seconds(with_list: bool) -> float:
    from django.contrib.auth import get_user_model

    from tickets import services, waitlist

    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"w-{uuid.uuid4().hex}") for _ in range(2))
    performance = reservations._performance(capacity=2)
    order = services.order_reserve(user=users[0], performance_id=performance.pk, quantity=2)
    if with_list:
        waitlist.waitlist_join(user=users[1], performance_id=performance.pk, seats=2)
    started = time.perf_counter()
    services.order_cancel(order_id=order.pk, user=users[0])
    elapsed = time.perf_counter() - started
    if with_list:
        assert waitlist.WaitlistEntry.objects.get(customer=users[1]).status == "accepted"
    return elapsed


def rows(samples: int) -> list[str]:
    today, with_list = [], []
    for _ in range(samples):
        today.append(_cancel_seconds(False) * 1000)
        with_list.append(_cancel_seconds(True) * 1000)
    # Medians of batches of 20, so the spread says something about the noise.
    batch = 20
    medians = [sorted(s[i:i + batch])[batch // 2] for s in (today, with_list)
               for i in range(0, samples, batch)]
    half = len(medians) // 2
    line = row("cancel that offers the seats to a waiting list vs today's cancel",
               medians[half:], medians[:half], "ms", higher_is_better=False)
    ratio = sorted(with_list)[samples // 2] / sorted(today)[samples // 2]
    return [line + f" target ≤ 1.5: {'met' if ratio <= 1.5 else 'NOT MET'} |"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--samples", type=int, default=200)
    args = parser.parse_args()
    use_bench_database()
    print(table(rows(args.samples)))


if __name__ == "__main__":
    main()
