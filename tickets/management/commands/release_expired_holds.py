"""End lapsed holds and send owed refunds (every minute on Lambda: a Zappa event)."""

import argparse

from django.core.management.base import BaseCommand

from tickets.holds import orders_release_expired


class Command(BaseCommand):
    help = "Release the seats of unpaid holds past their expiry (cancelling their " \
           "PaymentIntents) and send refunds that are owed. Safe to run in parallel."

    def add_arguments(self, parser) -> None:
        # Only from code (tickets/jobs.py, tests): call_command(..., now=datetime).
        parser.add_argument("--now", default=None, help=argparse.SUPPRESS)

    def handle(self, *args, **options) -> None:
        released = orders_release_expired(now=options.get("now"))
        self.stdout.write(f"Released {released} expired hold(s).")
