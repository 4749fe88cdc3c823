"""Write off what is left on gift cards past their expiry (daily is enough; scheduled in
zappa_settings.json `events` through vouchers/jobs.py)."""

import argparse

from django.core.management.base import BaseCommand

from vouchers.services import gift_cards_expire


class Command(BaseCommand):
    help = "Write off the balance of expired gift cards (an `expire` ledger row each)."

    def add_arguments(self, parser) -> None:
        # Only from code (vouchers/jobs.py, tests): call_command(..., now=datetime).
        parser.add_argument("--now", default=None, help=argparse.SUPPRESS)

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{gift_cards_expire(now=options.get('now'))} gift card(s) expired")
