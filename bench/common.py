"""Shared helpers of the benchmarks: a throwaway PostgreSQL database, timing, the table.

Every figure is reported as a ratio against a floor measured in the same run, several
repetitions each, median and spread: these machines are noisy, absolute times mean little.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Overridable so that two benchmark runs on one machine do not drop each other's database.
BENCH_DB = os.environ.get("BENCH_DB", "marquee_bench")
PG = "postgres://postgres@127.0.0.1:5432"


def use_bench_database() -> None:
    """Point Django (test settings: no DEBUG query log, no cache) at a fresh database."""
    import psycopg2

    sys.path.insert(0, str(ROOT))
    conn = psycopg2.connect(f"{PG}/postgres")
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        cur.execute(f"CREATE DATABASE {BENCH_DB}")
    conn.close()
    os.environ["DJANGO_SETTINGS_MODULE"] = "project.settings.test"
    os.environ["TEST_DATABASE_URL"] = f"{PG}/{BENCH_DB}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # As on Lambda, an order's email is handed over after commit, not built and sent in
    # the request (test settings send inline): the email row is written, sending deferred.
    settings.EMAIL_DISPATCH = "defer"

    call_command("migrate", verbosity=0)


_test_environment_ready = False


def ensure_test_environment() -> None:
    """Django's test environment (the test client's host, the in-memory outbox), set up
    once per process: `make bench` runs several modules in one, and Django refuses a second
    setup_test_environment()."""
    global _test_environment_ready
    if not _test_environment_ready:
        from django.test.utils import setup_test_environment

        setup_test_environment()
        _test_environment_ready = True


def summary(values: list[float]) -> tuple[float, float]:
    """Median and spread ((max - min) / median)."""
    median = statistics.median(values)
    return median, (max(values) - min(values)) / median if median else 0.0


def row(name: str, values: list[float], floor: list[float], unit: str,
        higher_is_better: bool) -> str:
    median, spread = summary(values)
    floor_median, _ = summary(floor)
    ratio = median / floor_median if floor_median else float("nan")
    better = "higher" if higher_is_better else "lower"
    return (f"| {name} | {median:,.1f} {unit} | ±{spread:.0%} | {floor_median:,.1f} {unit} "
            f"| {ratio:.2f} ({better} is better) |")


def row_paired(name: str, values: list[float], floor: list[float], unit: str,
               higher_is_better: bool) -> str:
    """As row(), but the ratio is the median of the rounds' own ratios (values[i] /
    floor[i]): for figures measured in interleaved rounds, each pair shares the machine's
    load of its moment, which a ratio of the two medians would not cancel."""
    median, spread = summary(values)
    floor_median, _ = summary(floor)
    ratios = [v / f for v, f in zip(values, floor, strict=True) if f]
    ratio = statistics.median(ratios) if ratios else float("nan")
    better = "higher" if higher_is_better else "lower"
    rounds = ", ".join(f"{r:.2f}" for r in ratios)
    return (f"| {name} | {median:,.1f} {unit} | ±{spread:.0%} | {floor_median:,.1f} {unit} "
            f"| {ratio:.2f} ({better} is better; median of the rounds' {rounds}) |")


def table(rows: list[str]) -> str:
    head = "| figure | median | spread | floor (same run) | ratio to floor |\n|---|---|---|---|---|"
    return "\n".join([head, *rows])


def repeat(fn: Callable[[], float], times: int) -> list[float]:
    return [fn() for _ in range(times)]


def rush_arguments(description: str, repeat: int = 3) -> argparse.Namespace:
    """The command line of a rush benchmark: --seconds per run, --repeat rounds, --clients
    (forked, on one hot performance)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--repeat", type=int, default=repeat)
    parser.add_argument("--clients", type=int, default=8)
    return parser.parse_args()


def rush_main(description: str, rows: Callable[[int, float, int], Sequence[str]], *,
              repeat: int = 3, test_environment: bool = False) -> None:
    """A rush benchmark run on its own: its rows(repeat, seconds, clients), as a table, on
    a fresh bench database (`test_environment`: with the test client's set-up)."""
    args = rush_arguments(description, repeat)
    use_bench_database()
    if test_environment:
        ensure_test_environment()
    print(table(rows(args.repeat, args.seconds, args.clients)))
