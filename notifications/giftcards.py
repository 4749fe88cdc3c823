"""The email that carries a gift card's code to its buyer or to the person it is for."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from .messages import money

logger = logging.getLogger(__name__)


def gift_card_email_send(*, to: str, code: str, amount_cents: int, currency: str,
                         expires_at: dt.datetime, message: str = "",
                         from_name: str = "") -> bool:
    """Send the code (after the purchase committed). False, logged, when it failed: staff
    see the code in the admin and can send it again."""
    lines = [f"{from_name} sends you a gift card." if from_name else "Your gift card.", ""]
    if message:
        lines += ["“" + message.strip() + "”", ""]
    lines += [f"Value: {money(amount_cents, currency)}",
              f"Code: {code}",
              f"Valid until: {timezone.localtime(expires_at):%d %B %Y}", "",
              f"Use it at checkout on {settings.SITE_URL} (the “Gift card” field)."]
    try:
        EmailMessage(subject=f"Your gift card: {money(amount_cents, currency)}",
                     body="\n".join(lines), to=[to],
                     headers={"X-Marquee-Email": "gift-card"}).send()
    except Exception:
        logger.exception("notifications: the gift card email to %s was not sent", to)
        return False
    return True
