"""QR codes of tickets, as standalone SVG (segno: pure Python, no image library)."""

import io

import segno


def ticket_svg(code: str) -> bytes:
    # A regular QR code: segno.make would pick a Micro QR for 16 characters, which phone
    # cameras, BarcodeDetector and most scanners cannot read. Quiet zone: the standard 4.
    buffer = io.BytesIO()
    segno.make_qr(code, error="m").save(buffer, kind="svg", xmldecl=False, scale=6,
                                        border=4, title=f"Ticket {code}")
    return buffer.getvalue()
