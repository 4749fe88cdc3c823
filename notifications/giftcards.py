"""The email that carries a gift card's code to its buyer or to the person it is for, in
the buyer's language (their choice in the SPA, else the venue's)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from languages.formats import money
from languages.selectors import customer_language

logger = logging.getLogger(__name__)


def gift_card_email_send(*, to: str, code: str, amount_cents: int, currency: str,
                         expires_at: dt.datetime, message: str = "",
                         from_name: str = "", customer_id: int | None = None) -> bool:
    """Send the code (after the purchase committed), in the language of the customer who
    bought it (`customer_id`). False, logged, when it failed: staff see the code in the
    admin and can send it again."""
    language = customer_language(customer_id=customer_id) if customer_id else None
    with translation.override(language or translation.get_language()):
        return _send(to=to, code=code, amount_cents=amount_cents, currency=currency,
                     expires_at=expires_at, message=message, from_name=from_name)


def _send(*, to: str, code: str, amount_cents: int, currency: str, expires_at: dt.datetime,
          message: str, from_name: str) -> bool:
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
    try:
        EmailMessage(subject=_("Your gift card: %(value)s") % {"value": value},
                     body="\n".join(lines), to=[to],
                     headers={"X-Marquee-Email": "gift-card"}).send()
    except Exception:
        logger.exception("notifications: the gift card email to %s was not sent", to)
        return False
    return True
