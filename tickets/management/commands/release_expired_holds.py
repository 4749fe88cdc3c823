"""End lapsed holds and send owed refunds (every minute on Lambda: a Zappa event)."""

from django.core.management.base import BaseCommand

from tickets.holds import orders_release_expired


class Command(BaseCommand):
    help = "Release the seats of unpaid holds past their expiry (cancelling their " \
           "PaymentIntents) and send refunds that are owed. Safe to run in parallel."

    def handle(self, *args, **options) -> None:
        released = orders_release_expired()
        self.stdout.write(f"Released {released} expired hold(s).")
