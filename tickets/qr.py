"""QR codes of tickets, as standalone SVG (segno: pure Python, no image library)."""

import io

import segno


def ticket_symbol(code: str) -> segno.QRCode:
    """A ticket's QR code, for every place that draws one (API, emails, door tests).

    A regular QR code: segno.make would pick a Micro QR for 16 characters, which phone
    cameras, BarcodeDetector and most scanners cannot read."""
    return segno.make_qr(code, error="m")


def ticket_svg(code: str) -> bytes:
    buffer = io.BytesIO()
    ticket_symbol(code).save(buffer, kind="svg", xmldecl=False, scale=6, border=4,
                             title=f"Ticket {code}")  # border 4: the standard quiet zone
    return buffer.getvalue()


def ticket_png(code: str) -> bytes:
    """The same code as a small PNG (emails; segno writes PNG without Pillow)."""
    buffer = io.BytesIO()
    ticket_symbol(code).save(buffer, kind="png", scale=6, border=4)
    return buffer.getvalue()
