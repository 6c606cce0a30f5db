"""PNG previews of label PDFs, rendered with PDFium."""

from __future__ import annotations

import io
import threading

import pypdfium2 as pdfium

from station.labels.layout import LabelError

# PDFium must never be entered from two threads at once, not even for different
# documents (pypdfium2 docs, "Incompatibility with Threading"); one process-wide lock.
_PDFIUM = threading.Lock()


def render_png(pdf: bytes, *, dpi: int = 203, page: int = 0) -> bytes:
    """Render one page of a PDF to a greyscale PNG at ``dpi``."""
    if not 36 <= dpi <= 1200:
        raise LabelError(f"preview resolution {dpi} dpi is outside 36..1200")
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(pdf)
        except pdfium.PdfiumError as exc:
            raise LabelError(f"cannot read the label PDF: {exc}") from exc
        try:
            if not 0 <= page < len(document):
                raise LabelError(f"page {page} is outside a {len(document)}-page PDF")
            # pypdfium2 rounds the pixel size up: keep 432 pt * 300/72 at 1800, not 1801
            scale = dpi / 72 * (1 - 1e-9)
            bitmap = document[page].render(scale=scale, grayscale=True)
            image = bitmap.to_pil()
        finally:
            document.close()
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
