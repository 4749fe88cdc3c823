"""Write off what is left on gift cards past their expiry (daily is enough)."""

from django.core.management.base import BaseCommand

from vouchers.services import gift_cards_expire


class Command(BaseCommand):
    help = "Write off the balance of expired gift cards (an `expire` ledger row each)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"{gift_cards_expire()} gift card(s) expired")
