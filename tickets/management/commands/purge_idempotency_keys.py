"""Delete Idempotency-Key records older than 24 hours (scheduled on Lambda by Zappa)."""

import argparse

from django.core.management.base import BaseCommand

from tickets.idempotency import idempotency_purge


class Command(BaseCommand):
    help = "Delete idempotency keys older than 24 hours."

    def add_arguments(self, parser) -> None:
        # Only from code (tickets/jobs.py, tests): call_command(..., now=datetime).
        parser.add_argument("--now", default=None, help=argparse.SUPPRESS)

    def handle(self, *args, **options) -> None:
        deleted = idempotency_purge(now=options.get("now"))
        self.stdout.write(f"Purged {deleted} idempotency key(s).")
