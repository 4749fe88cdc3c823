"""Delete Idempotency-Key records older than 24 hours (scheduled on Lambda by Zappa)."""

from django.core.management.base import BaseCommand

from tickets.idempotency import idempotency_purge


class Command(BaseCommand):
    help = "Delete idempotency keys older than 24 hours."

    def handle(self, *args, **options) -> None:
        deleted = idempotency_purge()
        self.stdout.write(f"Purged {deleted} idempotency key(s).")
