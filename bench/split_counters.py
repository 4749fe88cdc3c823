"""Reservations/s on one hot performance with its seat count split over K rows (issue 20,
"the one hot row"; shows/counters.py), K = 1, 4, 16, interleaved in the same run.

Two pairs of figures, each against K = 1 measured in the same run:
- the raw-SQL floor (bench/reservations.py): one statement that counts the seat and inserts
  the order, in a tight loop per client — what the seat counter row allows;
- ours: `tickets.services.order_reserve` (the whole reservation), where on this machine the
  clients' Python, not the row, is the ceiling.
Each run ends with the consistency check (never oversold; seats = tickets = holdings).

    python -m bench.split_counters [--seconds 3] [--repeat 3] [--clients 8]
    (BENCH_DB: its own throwaway database; TEST_REDIS_URL: the Redis db the settings use)
"""

from __future__ import annotations

import sys
import time

from bench import reservations
from bench.common import row, rush_main

KS = (1, 4, 16)


def measure(reps: int, seconds: float, clients: int) -> dict[str, dict[int, list[float]]]:
    figures: dict[str, dict[int, list[float]]] = {"floor": {k: [] for k in KS},
                                                  "ours": {k: [] for k in KS}}
    for i in range(reps):  # interleaved, so drift and the neighbours' load hit all alike
        for k in KS:
            figures["floor"][k].append(reservations.run_once(
                "floor" if k == 1 else "floor_split", clients, seconds, counter_rows=k))
            figures["ours"][k].append(reservations.run_once("ours", clients, seconds,
                                                            counter_rows=k))
        print(f"[split counters {time.strftime('%H:%M:%S')}] {i + 1}/{reps}: " + ", ".join(
            f"{kind} K={k} {v[k][-1]:.0f}/s" for kind, v in figures.items() for k in KS),
            file=sys.stderr, flush=True)
    return figures


def rows(reps: int, seconds: float, clients: int) -> list[str]:
    figures = measure(reps, seconds, clients)
    out = []
    for kind, label in (("floor", "raw SQL floor statement"),
                        ("ours", "order_reserve (the whole reservation)")):
        for k in KS[1:]:
            out.append(row(f"reservations/s, one hot performance, K = {k} vs K = 1, {label}, "
                           f"{clients} clients", figures[kind][k], figures[kind][1], "res/s",
                           higher_is_better=True))
    out.append(row(f"reservations/s, one hot performance, K = 1 (today's row), "
                   f"order_reserve vs raw SQL floor, {clients} clients", figures["ours"][1],
                   figures["floor"][1], "res/s", higher_is_better=True))
    return out


def main() -> None:
    rush_main(__doc__.split("\n", 1)[0], rows)


if __name__ == "__main__":
    main()
