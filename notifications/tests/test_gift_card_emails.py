"""The email of a gift card bought online has a record, as order emails do: owed with the
card, sent once after the commit, and retried by the per-minute job when SES fails (moto's
SES; transactional tests, so that on_commit runs)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from notifications import giftcards
from notifications.models import GiftCardEmail
from tickets.due import holds_next_due
from tickets.holds import orders_release_expired
from vouchers.models import GiftCardPurchase
from vouchers.services import gift_card_purchase_paid

from .conftest import SENDER

pytestmark = pytest.mark.django_db(transaction=True)


def paid_purchase(make_user, recipient="friend@example.com") -> GiftCardPurchase:
    purchase = GiftCardPurchase.objects.create(
        buyer=make_user(email="giver@example.com"), amount_cents=3000,
        recipient_email=recipient, message="Enjoy!", created_at=timezone.now())
    assert gift_card_purchase_paid(purchase_id=purchase.pk)
    return GiftCardPurchase.objects.select_related("gift_card").get(pk=purchase.pk)


def gift_emails(ses) -> list:
    return [m for m in ses.all() if m.kind == "gift-card"]


def test_the_code_is_sent_once_with_its_record(ses, make_user):
    purchase = paid_purchase(make_user)
    [sent] = gift_emails(ses)
    assert sent.recipients == ["friend@example.com"]
    assert f"Code: {purchase.gift_card.code}" in sent.message.get_content()
    email = GiftCardEmail.objects.get(purchase=purchase)
    assert (email.status, email.attempts, email.recipient) == ("sent", 1, "friend@example.com")
    assert email.message_id
    # The webhook's second notice, the job: nothing more.
    assert gift_card_purchase_paid(purchase_id=purchase.pk) is False
    assert giftcards.gift_card_emails_retry_failed(
        now=timezone.now() + dt.timedelta(hours=3)) == 0
    assert len(gift_emails(ses)) == 1


def test_an_ses_failure_is_retried_by_the_per_minute_job_once(ses, make_user, caplog):
    from project import aws

    aws.client("sesv2").delete_email_identity(EmailIdentity=SENDER)  # SES now refuses
    purchase = paid_purchase(make_user)
    assert purchase.status == "paid" and purchase.gift_card.balance_cents == 3000
    assert gift_emails(ses) == []
    email = GiftCardEmail.objects.get(purchase=purchase)
    assert (email.status, email.attempts) == ("failed", 1)
    assert "MessageRejected" in email.last_error and email.next_attempt_at is not None
    assert any(str(purchase.pk) in r.getMessage() and r.levelname == "ERROR"
               for r in caplog.records)
    # The job knows it is owed (a pausing database is woken for it) ...
    assert holds_next_due(now=timezone.now()) == email.next_attempt_at
    # ... not before its delay; then the per-minute job sends it, once.
    assert giftcards.gift_card_emails_retry_failed(
        now=email.next_attempt_at - dt.timedelta(seconds=1)) == 0
    aws.client("sesv2").create_email_identity(EmailIdentity=SENDER)
    orders_release_expired(now=email.next_attempt_at)
    [sent] = gift_emails(ses)
    code = re.search(r"Code: (\w+)", sent.message.get_content()).group(1)
    assert code == purchase.gift_card.code
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 2)
    orders_release_expired(now=timezone.now() + dt.timedelta(hours=5))
    assert len(gift_emails(ses)) == 1
    assert holds_next_due(now=timezone.now()) is None


def test_failures_back_off_then_give_up(make_user, settings):
    settings.EMAIL_BACKEND = "notifications.tests.test_services.BrokenBackend"
    purchase = paid_purchase(make_user, recipient="")
    email = GiftCardEmail.objects.get(purchase=purchase)
    attempts = 1
    while email.next_attempt_at is not None:
        giftcards.gift_card_emails_retry_failed(now=email.next_attempt_at)
        email.refresh_from_db()
        attempts += 1
    assert (email.status, email.attempts) == ("failed", attempts)
    assert email.recipient == "giver@example.com"  # no recipient: the buyer


def test_a_purchase_refunded_before_the_retry_is_not_sent(make_user, settings):
    settings.EMAIL_BACKEND = "notifications.tests.test_services.BrokenBackend"
    purchase = paid_purchase(make_user)
    GiftCardPurchase.objects.filter(pk=purchase.pk).update(status="refunded",
                                                           refunded_at=timezone.now())
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    email = GiftCardEmail.objects.get(purchase=purchase)
    assert giftcards.gift_card_emails_retry_failed(now=email.next_attempt_at) == 1
    email.refresh_from_db()
    assert email.status == "skipped" and "refunded" in email.last_error
