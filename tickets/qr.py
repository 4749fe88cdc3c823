"""QR codes of tickets, as standalone SVG (segno: pure Python, no image library)."""

import io

import segno


def ticket_svg(code: str) -> bytes:
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind="svg", xmldecl=False, scale=6, border=2,
                                     title=f"Ticket {code}")
    return buffer.getvalue()
