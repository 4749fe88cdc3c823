"""The content of order emails: templates, QR codes as inline PNG, the .ics file.

The MIME tree is built with the standard library's `email.message.EmailMessage`, which
nests an HTML part and its images in multipart/related as mail clients expect:

    multipart/mixed
      multipart/alternative
        text/plain
        multipart/related
          text/html                (its <img src="cid:…"> name the parts below)
          image/png, one a ticket (Content-ID, inline; PNG because many clients drop SVG)
      text/calendar (.ics)         (confirmation and resend only)
      application/pdf              (the printable tickets, A4; confirmation and resend only)

It is wrapped in a Django EmailMessage, so every Django backend sends it as it is (SES,
files under var/mail/, the test outbox).
"""

from __future__ import annotations

import datetime as dt
import email.message
import email.policy
import zoneinfo
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage as DjangoEmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from languages import formats
from languages.selectors import customer_language
from tickets.printouts import order_tickets_pdf
from tickets.qr import ticket_png

from .ics import event_calendar
from .models import EmailKind, OrderEmail

SUBJECTS = {
    EmailKind.CONFIRMATION: _("Your tickets for %(show)s"),
    EmailKind.RESEND: _("Your tickets for %(show)s (sent again)"),
    EmailKind.CANCELLATION: _("Your order for %(show)s is cancelled"),
    EmailKind.REFUND: _("Your payment for %(show)s is refunded"),
    EmailKind.EXPIRY: _("Your hold on seats for %(show)s has lapsed"),
    EmailKind.OFFER: _("Seats for %(show)s are held for you: pay to get them"),
    EmailKind.OFFER_LAPSED: _("Your waiting-list offer for %(show)s has lapsed"),
    EmailKind.PERFORMANCE_CANCELLED: _("%(show)s is cancelled: your tickets are refunded"),
}
TEMPLATES = {EmailKind.RESEND: "confirmation"}  # else the kind's own name
WITH_TICKETS = {EmailKind.CONFIRMATION, EmailKind.RESEND}


class _Mime(email.message.EmailMessage):
    """Accepts Django's `as_bytes(linesep=…)` (django-ses, the file backend) too."""

    def as_bytes(self, unixfrom: bool = False, linesep: str | None = None,
                 policy: email.policy.Policy | None = None) -> bytes:
        policy = policy or self.policy
        if linesep:
            policy = policy.clone(linesep=linesep)
        return super().as_bytes(unixfrom=unixfrom, policy=policy)


class OrderEmailMessage(DjangoEmailMessage):
    """A Django EmailMessage whose MIME tree is built once, by `build`."""

    def __init__(self, *, subject: str, text: str, html: str, to: list[str],
                 images: list[tuple[str, bytes, str]], files: list[tuple[str, str, str]],
                 headers: dict[str, str],
                 documents: list[tuple[str, bytes, str]] | None = None) -> None:
        super().__init__(subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL,
                         to=to, headers=headers)
        self.html = html
        self.images = images  # (content id, PNG bytes, file name)
        self.files = files    # (file name, text, subtype of text/*)
        self.documents = documents or []  # (file name, bytes, subtype of application/*)
        self.message_id = make_msgid("marquee", domain=_sender_domain())

    def message(self) -> email.message.EmailMessage:
        mime = _Mime(policy=email.policy.default)
        mime["Subject"] = self.subject
        mime["From"] = self.from_email
        mime["To"] = ", ".join(self.to)
        mime["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        mime["Message-ID"] = self.message_id
        for name, value in self.extra_headers.items():
            if name.lower() not in {"message_id", "request_id", "status"}:  # django-ses' notes
                mime[name] = value
        mime.set_content(self.body)
        mime.add_alternative(self.html, subtype="html")
        html_part = mime.get_payload()[1]
        for cid, png, filename in self.images:
            html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>",
                                  filename=filename, disposition="inline")
        for filename, text, subtype in self.files:
            mime.add_attachment(text, subtype=subtype, filename=filename,
                                params={"method": "PUBLISH"} if subtype == "calendar" else {})
        for filename, data, subtype in self.documents:
            mime.add_attachment(data, maintype="application", subtype=subtype, filename=filename)
        return mime

    def sent_id(self) -> str:
        """SES's MessageId once django-ses has sent it; else our Message-ID header."""
        return str(self.extra_headers.get("message_id") or self.message_id.strip("<>"))


def order_message(*, email: OrderEmail, recipient: str,
                  now: dt.datetime) -> OrderEmailMessage:
    """The email in the customer's language (their choice in the SPA, else the venue's)."""
    with translation.override(customer_language(customer_id=email.order.customer_id)):
        return _order_message(email=email, recipient=recipient, now=now)


def _order_message(*, email: OrderEmail, recipient: str,
                   now: dt.datetime) -> OrderEmailMessage:
    order = email.order
    context = order_context(order)
    context["kind"] = email.kind
    template = TEMPLATES.get(email.kind, email.kind)
    images, files, documents = [], [], []
    if email.kind in WITH_TICKETS:
        documents.append((f"marquee-tickets-{str(order.pk)[:8]}.pdf",
                          order_tickets_pdf(order=order, layout="a4"), "pdf"))
        for ticket in context["tickets"]:
            images.append((ticket["cid"], qr_png(ticket["code"]), f"ticket-{ticket['code']}.png"))
        files.append((f"marquee-{str(order.pk)[:8]}.ics", order_calendar(order, context, now),
                      "calendar"))
    return OrderEmailMessage(
        subject=SUBJECTS[email.kind] % {"show": context["show"]},
        text=render_to_string(f"notifications/email/{template}.txt", context),
        html=render_to_string(f"notifications/email/{template}.html", context),
        to=[recipient], images=images, files=files, documents=documents,
        headers={"X-Marquee-Order": str(order.pk), "X-Marquee-Email": email.kind})


def order_context(order: Any) -> dict[str, Any]:
    performance = order.performance
    venue = performance.venue
    zone = zoneinfo.ZoneInfo(settings.VENUE_TIME_ZONE)
    starts = performance.starts_at.astimezone(zone)
    payment = getattr(order, "payment", None)
    refund_cents = 0
    if payment is not None and payment.status in {"refund_due", "refunding", "refunded"}:
        refund_cents = (order.refund_cents or payment.refund_due_cents
                        or payment.refunded_cents or payment.amount_cents)
    tickets = [{"code": t.code, "cid": f"qr-{t.code.lower()}@marquee",
                "category": t.category.translated("name")}
               for t in order.tickets.select_related("category")]
    lines = [{"category": line.category.translated("name"), "quantity": line.quantity,
              "price": formats.money(line.unit_price_cents, order.currency)}
             for line in order.lines.select_related("category")]
    return {
        "order_id": str(order.pk), "short_id": str(order.pk)[:8], "status": order.status,
        "show": performance.show.translated("title"),
        "starts_at": formats.when(starts), "time_zone": settings.VENUE_TIME_ZONE,
        "expired_at": (formats.when(order.expires_at.astimezone(zone), weekday=False,
                                    year=False) if order.expires_at else ""),
        "venue": venue.name, "city": venue.city, "address": venue.address,
        "quantity": order.quantity, "seats": ngettext("seat", "seats", order.quantity),
        "total": formats.money(order.total_cents, order.currency),
        "paid": payment is not None,
        "refund": formats.money(refund_cents, order.currency) if refund_cents else "",
        "fee": formats.money(order.fee_cents, order.currency) if order.fee_cents else "",
        "lines": lines,
        "refund_reason": payment.refund_reason if payment is not None else "",
        "tickets": tickets,
        "order_url": f"{settings.SITE_URL.rstrip('/')}/tickets/{order.pk}",
    }


def order_calendar(order: Any, context: dict[str, Any], now: dt.datetime) -> str:
    performance = order.performance
    location = ", ".join(p for p in (context["venue"], context["address"], context["city"]) if p)
    codes = ", ".join(t["code"] for t in context["tickets"])
    return event_calendar(
        uid=f"order-{order.pk}@{_sender_domain()}", stamp=now,
        start=performance.starts_at,
        end=performance.starts_at + dt.timedelta(minutes=performance.show.duration_minutes),
        summary=context["show"], location=location,
        description=_("%(quantity)d %(seats)s. Tickets: %(codes)s. %(url)s") % {
            "quantity": order.quantity, "seats": context["seats"], "codes": codes,
            "url": context["order_url"]},
        url=context["order_url"])


def qr_png(code: str) -> bytes:
    """The ticket's QR code as a PNG (tickets/qr.py draws every ticket's code)."""
    return ticket_png(code)


def _sender_domain() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "marquee.invalid"

