"""The daily gift-card expiry (zappa_settings.json `events` → vouchers/jobs.py): it opens
the database only once a card with a balance is past its expiry, and writes it off once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from tickets.tests.test_jobs import state_table  # noqa: F401 — the fixture
from vouchers.jobs import expire_gift_cards_job
from vouchers.models import GiftCard, GiftCardTransaction


def test_with_no_card_the_job_opens_no_database_connection(state_table):  # noqa: F811
    connection.close()
    assert expire_gift_cards_job() is False
    assert connection.connection is None


@pytest.mark.django_db(transaction=True)
def test_a_card_wakes_the_job_at_its_expiry_and_is_written_off_once(
        state_table, make_gift_card):  # noqa: F811
    expires = timezone.now() + dt.timedelta(days=1100)
    card = make_gift_card(amount_cents=3000, expires_at=expires)
    connection.close()
    assert expire_gift_cards_job(now=expires - dt.timedelta(days=1)) is False
    assert connection.connection is None
    assert expire_gift_cards_job(now=expires + dt.timedelta(minutes=5)) is True
    card.refresh_from_db()
    assert card.balance_cents == 0
    assert list(GiftCardTransaction.objects.filter(gift_card=card).values_list(
        "kind", "amount_cents")) == [("issue", 3000), ("expire", -3000)]
    # The next day's run has nothing due: no database, nothing written twice.
    connection.close()
    assert expire_gift_cards_job(now=expires + dt.timedelta(days=1, minutes=5)) is False
    assert GiftCard.objects.get(pk=card.pk).balance_cents == 0
