"""The daily scheduled job (zappa_settings.json `events`, project/lambda_handler.py): write off
what is left on gift cards past their expiry. It opens the database only when the state table
says a card is due (project/pending_work.py: a credit to a card announces its expiry)."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.db.models import Min

from project import pending_work

from .models import GiftCard


def gift_cards_next_due(*, now: dt.datetime) -> dt.datetime | None:
    """When the next card with a balance expires, or None."""
    return GiftCard.objects.filter(balance_cents__gt=0).aggregate(
        due=Min("expires_at"))["due"]


def expire_gift_cards_job(*, now: dt.datetime | None = None) -> bool:
    """Run `manage.py expire_gift_cards` if a card is due. True if the database was used."""
    def work(at: dt.datetime) -> dt.datetime | None:
        call_command("expire_gift_cards", **({"now": now} if now else {}))
        return gift_cards_next_due(now=at)

    return pending_work.run_if_due(pending_work.GIFT_CARDS, work, now=now)
