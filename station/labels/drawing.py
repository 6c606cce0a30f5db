"""Drawing on a reportlab canvas in points: text that never overflows, and barcodes.

Bars and QR modules are snapped to whole dots of a 203 dpi printhead, so a PDF printed
on a thermal printer, or rendered to a 203 dpi preview, scans cleanly.
"""

from __future__ import annotations

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from station.labels.fonts import FontSet, Run
from station.labels.layout import LabelError, LabelSize
from station.labels.plan import MODULE_MM, QUIET_MODULES
from station.labels.script import visual

DOT = 72 / 203  # one 203 dpi dot in points
INSET = DOT / 50  # bar width reduction: PDFium (and printers) round fills outwards
FAKE_BOLD = 0.04  # outline stroke, as a share of the font size, for a missing bold face


def page_size(size: LabelSize) -> tuple[float, float]:
    """Page size in points, rounded so 4 x 6 in is exactly 288 x 432."""
    return round(size.width_mm * mm, 2), round(size.height_mm * mm, 2)


def draw_text(
    canvas: Canvas,
    fonts: FontSet,
    text: str,
    *,
    x: float,
    baseline: float,
    size: float,
    max_width: float,
    bold: bool = False,
) -> None:
    """Draw one line in visual order, each run in a font that has its glyphs.

    A line that would run past ``max_width`` is squeezed horizontally, never cut.
    """
    runs = fonts.runs(visual(fonts.prepare(text)), bold=bold)
    widths = [stringWidth(run.text, run.font, size) for run in runs]
    width = sum(widths)
    if width <= max_width or max_width <= 0:
        for run, run_width in zip(runs, widths, strict=True):
            _draw_run(canvas, run, x, baseline, size)
            x += run_width
        return
    # Horizontal scaling is text state and outlives the text object: keep it local.
    canvas.saveState()
    obj = canvas.beginText(x, baseline)
    obj.setHorizScale(100 * max_width / width)
    for run in runs:
        obj.setFont(run.font, size)
        if run.fake_bold:
            canvas.setLineWidth(size * FAKE_BOLD)
        obj.setTextRenderMode(2 if run.fake_bold else 0)
        obj.textOut(run.text)
    canvas.drawText(obj)
    canvas.restoreState()


def _draw_run(canvas: Canvas, run: Run, x: float, baseline: float, size: float) -> None:
    """One run at its natural width; a missing bold face is drawn by stroking the outlines."""
    canvas.setFont(run.font, size)
    if not run.fake_bold:
        canvas.drawString(x, baseline, run.text)
        return
    canvas.saveState()
    canvas.setLineWidth(size * FAKE_BOLD)
    canvas.drawString(x, baseline, run.text, mode=2)
    canvas.restoreState()


def draw_code128(
    canvas: Canvas, value: str, *, x: float, y: float, width: float, height: float
) -> None:
    """Draw a Code 128 of ``value`` centred in the box, bars snapped to whole dots."""
    barcode = Code128(value, barWidth=1, quiet=False)
    barcode.validate()
    barcode.encode()
    pattern = barcode.decompose()  # upper case: bar of n modules; lower case: space
    modules = sum(ord(c.lower()) - ord("a") + 1 for c in pattern)
    preferred = round(MODULE_MM * mm / DOT)
    dots = min(preferred, int(width / DOT) // (modules + 2 * QUIET_MODULES))
    if dots < 1:
        raise LabelError(f"{value!r} is too long for a Code 128 in this space")
    # start on the dot grid so every bar edge falls on a pixel edge
    left = round((x + (width - modules * dots * DOT) / 2) / DOT) * DOT
    for c in pattern:
        span = (ord(c.lower()) - ord("a") + 1) * dots * DOT
        if c.isupper():
            _bar(canvas, left, y, span, height)
        left += span


def draw_qr(canvas: Canvas, value: str, *, x: float, y: float, size: float) -> None:
    """Draw a QR code (error correction M) in the square, modules snapped to whole dots."""
    code = QrCodeWidget(value, barLevel="M").qr
    code.make()
    count = code.getModuleCount()
    module = max(1, int(size / DOT) // count) * DOT
    left = round(x / DOT) * DOT
    top = round((y + size) / DOT) * DOT
    for r, row in enumerate(code.modules):
        bottom = top - (r + 1) * module
        for start, length in _dark_runs(row):  # one rectangle per run keeps the PDF small
            _bar(canvas, left + start * module, bottom, length * module, module)


def _dark_runs(row: list[bool | None]) -> list[tuple[int, int]]:
    """(first column, length) of each run of dark modules in a QR row."""
    runs, start = [], None
    for column, dark in enumerate([*row, False]):
        if dark and start is None:
            start = column
        elif not dark and start is not None:
            runs.append((start, column - start))
            start = None
    return runs


def _bar(canvas: Canvas, x: float, y: float, width: float, height: float) -> None:
    """Fill a rectangle inset by a hair, so rasterisers that round outwards keep its size."""
    canvas.rect(x + INSET, y + INSET, width - 2 * INSET, height - 2 * INSET, stroke=0, fill=1)
