"""End lapsed holds, work through cancelled performances, send owed refunds (every minute
on Lambda: a Zappa event)."""

import argparse

from django.core.management.base import BaseCommand

from tickets.cancellations import cancellations_work
from tickets.holds import orders_release_expired


class Command(BaseCommand):
    help = "Release the seats of unpaid holds past their expiry (cancelling their " \
           "PaymentIntents), cancel a batch of orders of cancelled performances and send " \
           "refunds that are owed. Safe to run in parallel."

    def add_arguments(self, parser) -> None:
        # Only from code (tickets/jobs.py, tests): call_command(..., now=datetime).
        parser.add_argument("--now", default=None, help=argparse.SUPPRESS)

    def handle(self, *args, **options) -> None:
        # Cancellations first: the refunds they owe go out with the others below. Within
        # 40 s, so that a run ends before the next minute's starts.
        cancelled = cancellations_work(now=options.get("now"), seconds=40)
        released = orders_release_expired(now=options.get("now"))
        self.stdout.write(f"Released {released} expired hold(s); cancelled {cancelled} "
                          "order(s) of cancelled performances.")
