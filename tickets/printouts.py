"""What a printed order shows: an order's tickets as a `pdf.Printout` (reads only)."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.utils import translation

from languages import formats

from .models import Order, OrderStatus, Ticket
from .pdf import LAYOUTS, PrintedTicket, Printout, tickets_pdf

PRINTABLE = {OrderStatus.CONFIRMED}
__all__ = ["LAYOUTS", "PRINTABLE", "order_printout", "order_tickets_pdf", "ticket_labels"]


def ticket_labels(ticket: Ticket) -> tuple[str, ...]:
    """The lines printed under a ticket's performance: its category (with what the door
    checks, e.g. "Reduced — proof at the door")."""
    category = ticket.category
    name, description = category.translated("name"), category.translated("description")
    return (f"{name} — {description}" if description else name,)


def order_printout(*, order: Order) -> Printout:
    """In the active language (the request's, or the customer's for an email)."""
    performance = order.performance
    venue = performance.venue
    starts = performance.starts_at.astimezone(zoneinfo.ZoneInfo(settings.VENUE_TIME_ZONE))
    return Printout(
        show=performance.show.translated("title"),
        starts_at=formats.when(starts),
        venue=venue.name,
        address=", ".join(part for part in (venue.address, venue.city) if part),
        order_ref=str(order.pk)[:8],
        tickets=tuple(PrintedTicket(code=t.code, labels=ticket_labels(t))
                      for t in order.tickets.select_related("category").order_by("id")))


def order_tickets_pdf(*, order: Order, layout: str = "a4",
                      language: str | None = None) -> bytes:
    """`language`: the customer's (an email's attachment); else the active one."""
    with translation.override(language or translation.get_language()):
        return tickets_pdf(printout=order_printout(order=order), layout=layout)
