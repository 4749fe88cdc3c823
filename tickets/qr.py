"""QR codes of tickets, as SVG (segno: pure Python, no image library)."""

import segno


def ticket_svg(code: str) -> bytes:
    return segno.make(code, error="m").svg_inline(scale=6, border=2, title=f"Ticket {code}") \
        .encode()
