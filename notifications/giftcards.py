"""The email that carries a gift card's code to its buyer or to the person it is for, in
the buyer's language (their choice in the SPA, else the venue's).

Owed as order emails are (services.py): a GiftCardEmail row is written in the transaction
that issues the bought card (`gift_card_email_owed`), sent after its commit by one worker
that claims the row (`gift_card_email_deliver`), and, when SES fails, retried by the
per-minute job (`gift_card_emails_retry_failed`, tickets.holds) with the same delays.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from email.utils import make_msgid
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from languages.formats import money
from languages.selectors import customer_language
from project import pending_work

from .models import EmailStatus, GiftCardEmail
from .services import MAX_ATTEMPTS, QUEUED_GRACE, _backoff, email_claim, owed_and_due

logger = logging.getLogger(__name__)


def gift_card_email_owed(*, purchase_id: uuid.UUID, now: dt.datetime | None = None) -> None:
    """Inside the transaction that issues a bought card: its email is owed (once per
    purchase), and handed to `gift_card_email_deliver` after the commit."""
    email = GiftCardEmail(purchase_id=purchase_id, created_at=now or timezone.now())
    pending_work.announce((pending_work.HOLDS, email.created_at + QUEUED_GRACE))
    GiftCardEmail.objects.bulk_create([email], ignore_conflicts=True)
    transaction.on_commit(partial(gift_card_email_deliver, email_id=email.pk), robust=True)


def gift_card_email_deliver(*, email_id: uuid.UUID, now: dt.datetime | None = None) -> str:
    """Send one owed gift-card email if nobody else is: "sent", "failed", "skipped" or
    "not due" (sent, being sent, waiting for its retry, or unknown)."""
    now = now or timezone.now()
    if not email_claim(GiftCardEmail, email_id=email_id, now=now):
        return "not due"
    email = GiftCardEmail.objects.select_related("purchase__gift_card",
                                                 "purchase__buyer").get(pk=email_id)
    purchase, card = email.purchase, email.purchase.gift_card
    mine = GiftCardEmail.objects.filter(pk=email_id, status=EmailStatus.SENDING)
    if card is None or purchase.refunded_at is not None:
        mine.update(status=EmailStatus.SKIPPED,
                    last_error="not sent: the purchase was refunded (its card voided)")
        return "skipped"
    to = purchase.recipient_email or purchase.buyer.email
    try:
        if not to:
            raise ValueError("the buyer has no email address")
        sent_id = _send_in_language(
            customer_id=purchase.buyer_id, to=to, code=card.code,
            amount_cents=purchase.amount_cents, currency=card.currency,
            expires_at=card.expires_at, message=purchase.message,
            from_name=purchase.buyer.email if purchase.recipient_email else "")
    except Exception as exc:
        retry = email.attempts < MAX_ATTEMPTS
        logger.exception("notifications: gift card purchase %s: email not sent (attempt %d, "
                         "%s)", purchase.pk, email.attempts,
                         "will retry" if retry else "given up")
        mine.update(status=EmailStatus.FAILED, recipient=to,
                    last_error=f"{type(exc).__name__}: {exc}"[:500],
                    next_attempt_at=now + _backoff(email.attempts) if retry else None)
        return "failed"
    mine.update(status=EmailStatus.SENT, sent_at=now, recipient=to, last_error="",
                next_attempt_at=None, message_id=sent_id[:255])
    logger.info("notifications: gift card purchase %s: email sent", purchase.pk)
    return "sent"


def gift_card_emails_retry_failed(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """The per-minute job's share: send again every gift-card email owed and due (failed
    and past its delay, queued but never claimed, claimed by a worker that died). Never
    raises."""
    now = now or timezone.now()
    try:
        due = list(GiftCardEmail.objects.filter(owed_and_due(now))
                   .order_by("created_at").values_list("pk", flat=True)[:limit])
        for email_id in due:
            gift_card_email_deliver(email_id=email_id, now=now)
    except Exception:
        logger.exception("notifications: could not retry the gift card emails owed")
        return 0
    return len(due)


def gift_card_email_send(*, to: str, code: str, amount_cents: int, currency: str,
                         expires_at: dt.datetime, message: str = "",
                         from_name: str = "", customer_id: int | None = None) -> bool:
    """Send a code now, in the language of the customer who bought it (`customer_id`), with
    no record: False, logged, when it failed. (A bought card's email goes through
    gift_card_email_owed, which records and retries it.)"""
    try:
        _send_in_language(customer_id=customer_id, to=to, code=code,
                          amount_cents=amount_cents, currency=currency,
                          expires_at=expires_at, message=message, from_name=from_name)
    except Exception:
        logger.exception("notifications: the gift card email to %s was not sent", to)
        return False
    return True


def _send_in_language(*, customer_id: int | None, **fields) -> str:
    language = customer_language(customer_id=customer_id) if customer_id else None
    with translation.override(language or translation.get_language()):
        return _send(**fields)


def _send(*, to: str, code: str, amount_cents: int, currency: str, expires_at: dt.datetime,
          message: str, from_name: str) -> str:
    """Send it (raises when SES does); its message id."""
    value = money(amount_cents, currency)
    lines = [_("%(name)s sends you a gift card.") % {"name": from_name} if from_name
             else _("Your gift card."), ""]
    if message:
        lines += ["“" + message.strip() + "”", ""]
    lines += [_("Value: %(value)s") % {"value": value},
              _("Code: %(code)s") % {"code": code},
              _("Valid until: %(date)s") % {
                  "date": date_format(timezone.localtime(expires_at), "j F Y")}, "",
              _("Use it at checkout on %(site)s (the “Gift card” field).") % {
                  "site": settings.SITE_URL}]
    message_id = make_msgid("marquee")
    email = EmailMessage(subject=_("Your gift card: %(value)s") % {"value": value},
                         body="\n".join(lines), to=[to],
                         headers={"X-Marquee-Email": "gift-card", "Message-ID": message_id})
    email.send()
    # django-ses notes SES's MessageId in the headers once sent.
    return str(email.extra_headers.get("message_id") or message_id.strip("<>"))
