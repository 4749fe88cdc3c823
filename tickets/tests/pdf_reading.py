"""Reading a tickets PDF back as a reader would: pypdf parses it, pdfium renders each page,
zxing-cpp decodes the QR codes on the picture (test-only libraries, requirements/dev.txt)."""

from __future__ import annotations

import io


def pdf_pages_text(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def pdf_pages_qr_codes(data: bytes, scale: float = 2.0) -> list[list[str]]:
    """The QR codes decoded on each page, rendered at `scale` times 72 dpi."""
    import pypdfium2
    import zxingcpp

    document = pypdfium2.PdfDocument(data)
    try:
        return [[found.text for found in zxingcpp.read_barcodes(
                    page.render(scale=scale).to_pil(), formats=zxingcpp.BarcodeFormat.QRCode)]
                for page in document]
    finally:
        document.close()
