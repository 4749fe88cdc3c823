"""Printable tickets: one PDF per order, one ticket per page (reportlab).

The builder knows nothing of models: it draws a `Printout` (tickets/printouts.py makes one
from an order). Each ticket carries its own label lines (category, seat, …) so that what
an order line or a seat adds is a line of text here, not a change of layout.

Two layouts: A4 to print at home, and an 80 mm thermal-printer roll (72 mm printable),
one ticket per page so that the printer cuts between tickets.

reportlab is imported on the first PDF, never at init: it costs ~90 ms of imports (with
Pillow, which its canvas imports) that no other request pays (bench/RESULTS.md).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.utils.translation import gettext

from .qr import ticket_symbol

MM = 72 / 25.4  # PDF points per millimetre


@dataclass(frozen=True)
class PrintedTicket:
    code: str
    labels: tuple[str, ...] = ()  # e.g. ("Category: Reduced", "Seat: Stalls B 12")


@dataclass(frozen=True)
class Printout:
    show: str
    starts_at: str            # already in the venue's time zone, as printed
    venue: str
    address: str              # address and city, one line
    order_ref: str
    tickets: tuple[PrintedTicket, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Layout:
    """A page: its size and margin (mm), the QR code's side (mm) and the type sizes (pt)."""

    width: float
    height: float
    margin: float
    qr_side: float
    title_pt: float
    text_pt: float


LAYOUTS = {
    "a4": Layout(width=210, height=297, margin=20, qr_side=60, title_pt=22, text_pt=12),
    # 80 mm paper, 72 mm printable; the page is as long as one ticket needs.
    "thermal": Layout(width=80, height=125, margin=4, qr_side=50, title_pt=13, text_pt=9),
}

# Typographic characters the PDF core fonts (WinAnsi) cannot show, written with ones they can.
_PLAIN = str.maketrans({"\u2212": "-", "\u2010": "-", "\u2011": "-", "\u00a0": " ",
                        "\u202f": " ", "\u2009": " "})


def tickets_pdf(*, printout: Printout, layout: str = "a4") -> bytes:
    """The order's tickets as a PDF: one page per ticket, in `layout` ("a4" or "thermal")."""
    from reportlab.pdfgen import canvas  # the first PDF pays for it, not the cold start

    page = LAYOUTS[layout]
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=(page.width * MM, page.height * MM),
                        pageCompression=1, invariant=1)
    pdf.setTitle(gettext("Tickets %(order)s — %(show)s") % {"order": printout.order_ref,
                                                             "show": printout.show})
    pdf.setAuthor("Marquee")
    for number, ticket in enumerate(printout.tickets, start=1):
        _draw_ticket(pdf, page, printout, ticket, number)
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _draw_ticket(pdf, page: Layout, printout: Printout, ticket: PrintedTicket,
                 number: int) -> None:
    left = page.margin * MM
    width = (page.width - 2 * page.margin) * MM
    y = (page.height - page.margin) * MM

    def line(text: str, size: float, font: str = "Helvetica", gap: float = 1.35) -> None:
        nonlocal y
        for part in _wrap(pdf, text.translate(_PLAIN), font, size, width):
            y -= size * gap
            pdf.setFont(font, size)
            pdf.drawString(left, y, part)

    line(printout.show, page.title_pt, "Helvetica-Bold")
    line(printout.starts_at, page.text_pt + 1, "Helvetica-Bold")
    line(printout.venue, page.text_pt)
    if printout.address:
        line(printout.address, page.text_pt)
    y -= page.text_pt * 0.5
    for label in ticket.labels:
        line(label, page.text_pt + 1, "Helvetica-Bold")
    line(gettext("Ticket %(number)s of %(total)s · order %(order)s") % {
        "number": number, "total": len(printout.tickets), "order": printout.order_ref},
         page.text_pt - 1)

    side = page.qr_side * MM
    y -= side + page.text_pt
    qr_left = left + (width - side) / 2 if page.width < 100 else left
    _draw_qr(pdf, ticket.code, qr_left, y, side)
    y -= page.text_pt * 0.4
    line(ticket.code, page.text_pt + 2, "Courier-Bold")
    line(gettext("Show this code at the door, printed or on your phone. One entry per ticket."),
         page.text_pt - 2)


def _draw_qr(pdf, code: str, x: float, y: float, side: float) -> None:
    """The ticket's QR code as vector squares (sharp at any printer's resolution), one
    rectangle per run of dark modules in a row, with the standard 4-module quiet zone."""
    matrix = ticket_symbol(code).matrix
    border = 4
    modules = len(matrix) + 2 * border
    unit = side / modules
    pdf.setFillColorRGB(1, 1, 1)
    pdf.rect(x, y, side, side, stroke=0, fill=1)
    pdf.setFillColorRGB(0, 0, 0)
    for row, cells in enumerate(matrix):
        top = y + side - (row + border + 1) * unit
        col = 0
        while col < len(cells):
            if cells[col] & 1:
                start = col
                while col < len(cells) and cells[col] & 1:
                    col += 1
                pdf.rect(x + (start + border) * unit, top, (col - start) * unit, unit,
                         stroke=0, fill=1)
            else:
                col += 1


def _wrap(pdf, text: str, font: str, size: float, width: float) -> list[str]:
    """Greedy word wrap to `width` points (a single long word is left to overflow)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if current and pdf.stringWidth(candidate, font, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    return [*lines, current] if current else lines or [""]
