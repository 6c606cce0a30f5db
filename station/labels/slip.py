"""Packing slips as PDF: the order's lines to pick, and its reference as a barcode."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from station.labels.drawing import draw_code128, draw_text, page_size
from station.labels.fonts import FontSet, load_fonts
from station.labels.layout import (
    SIZE_A4,
    SIZE_A5,
    LabelError,
    LabelSize,
    PackingSlip,
    PackingSlipLine,
    fit_lines,
    format_qty,
)
from station.labels.plan import BASELINE, LEADING, chars_for

# Column name and share of the table width; the last column is a tick box.
COLUMNS = (("Qty", 0.08), ("SKU", 0.22), ("Product", 0.40), ("Options", 0.24), ("", 0.06))
CELL_LINES = (1, 2, 3, 3)


@dataclass(frozen=True, slots=True)
class _Row:
    """One order line fitted into the table's cells."""

    cells: tuple[tuple[str, ...], ...]
    height: float


class _Page:
    """Draws on one page in millimetres measured from the top-left corner."""

    def __init__(self, canvas: Canvas, fonts: FontSet, size: LabelSize, scale: float) -> None:
        self.canvas, self.fonts, self.size, self.scale = canvas, fonts, size, scale
        self.margin = 12.0 * scale
        self.inner = size.width_mm - 2 * self.margin

    def text(
        self,
        text: str,
        *,
        x: float,
        y: float,
        size: float,
        width: float,
        lines: int = 1,
        bold: bool = False,
    ) -> float:
        """Draw ``text`` fitted to the block at (x, y); return the y below it."""
        for line in fit_lines(text, chars_for(width, size, bold=bold), lines):
            self.line(line, x=x, y=y, size=size, width=width, bold=bold)
            y += size * LEADING
        return y

    def line(
        self, text: str, *, x: float, y: float, size: float, width: float, bold: bool = False
    ) -> None:
        """Draw one already-fitted line whose top is at ``y``."""
        draw_text(
            self.canvas,
            self.fonts,
            text,
            x=x * mm,
            baseline=(self.size.height_mm - y - size * BASELINE) * mm,
            size=size * mm,
            max_width=width * mm,
            bold=bold,
        )

    def rule(self, y: float, *, weight: float = 0.3) -> None:
        """A horizontal rule across the page at ``y``."""
        top = (self.size.height_mm - y) * mm
        self.canvas.setLineWidth(weight * mm)
        self.canvas.line(self.margin * mm, top, (self.margin + self.inner) * mm, top)


def render_packing_slip(
    order: PackingSlip, *, size: LabelSize = SIZE_A4, fonts: FontSet | None = None
) -> bytes:
    """Render a packing slip on A4 (or A5), continuing onto more pages when needed."""
    if size not in (SIZE_A4, SIZE_A5):
        raise LabelError(f"packing slips print on A4 or A5, not {size.name}")
    fonts = fonts or load_fonts()
    scale = 1.0 if size == SIZE_A4 else 0.75
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=page_size(size), invariant=True)
    canvas.setTitle(f"{order.title} {order.reference}")
    canvas.setCreator("Station")
    page = _Page(canvas, fonts, size, scale)
    rows = [_fit_row(page, line) for line in order.lines]
    pages = _paginate(page, rows)
    for number, page_rows in enumerate(pages, start=1):
        y = _header(page, order, number, len(pages))
        if number == 1:
            y = _addresses(page, order, y)
        y = _table(page, page_rows, y)
        if number == len(pages):
            _totals(page, order, y)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _fit_row(page: _Page, line: PackingSlipLine) -> _Row:
    """Fit an order line's cells to their columns."""
    size = 3.5 * page.scale
    values = (format_qty(line.qty), line.sku, line.name, line.options)
    columns = zip(values, COLUMNS[:-1], CELL_LINES, strict=True)
    cells = tuple(
        fit_lines(value, chars_for(page.inner * share - 2, size, bold=i == 0), lines)
        for i, (value, (_, share), lines) in enumerate(columns)
    )
    tallest = max(1, *(len(cell) for cell in cells))
    return _Row(cells, tallest * size * LEADING + 2.5 * page.scale)


def _paginate(page: _Page, rows: list[_Row]) -> list[list[_Row]]:
    """Split rows into pages; the first page also carries the addresses."""
    bottom = page.size.height_mm - page.margin - 12 * page.scale
    top_first = _addresses_bottom(page) + 4 * page.scale + _table_head(page)
    top_next = _header_bottom(page) + 3 * page.scale + _table_head(page)
    pages: list[list[_Row]] = [[]]
    y = top_first
    for row in rows:
        if y + row.height > bottom and pages[-1]:
            pages.append([])
            y = top_next
        pages[-1].append(row)
        y += row.height
    return pages


def _header_bottom(page: _Page) -> float:
    """Where the header ends."""
    return page.margin + (7.0 + 9.0 + 3.5) * page.scale * LEADING + 2 * page.scale


def _table_head(page: _Page) -> float:
    """Height of the column headings and their rule."""
    return 3.5 * page.scale * LEADING + 2.5 * page.scale


def _addresses_bottom(page: _Page) -> float:
    """Where the ship-to block ends (the worst case, for pagination)."""
    return _header_bottom(page) + (3.0 + 5.0 * 2 + 4.0 * 8) * page.scale * LEADING


def _header(page: _Page, order: PackingSlip, number: int, count: int) -> float:
    """Title, reference, date and page number at the left; the barcode at the right."""
    s, m = page.scale, page.margin
    left = page.inner * 0.5
    y = page.text(order.title, x=m, y=m, size=7.0 * s, width=left, bold=True)
    y = page.text(order.reference, x=m, y=y, size=9.0 * s, width=left, bold=True)
    page.text(
        f"{order.printed_on.isoformat()} · Page {number} of {count}",
        x=m,
        y=y,
        size=3.5 * s,
        width=left,
    )
    width, height = page.inner * 0.45, 16.0 * s
    draw_code128(
        page.canvas,
        order.code,
        x=(m + page.inner - width) * mm,
        y=(page.size.height_mm - m - height) * mm,
        width=width * mm,
        height=height * mm,
    )
    y = _header_bottom(page)
    page.rule(y, weight=0.5)
    return y + 3 * s


def _addresses(page: _Page, order: PackingSlip, y: float) -> float:
    """Ship-to address at the left, order notes at the right."""
    s, m, to = page.scale, page.margin, order.ship_to
    half = page.inner * 0.48
    y_notes = y
    y = page.text("SHIP TO", x=m, y=y, size=3.0 * s, width=half, bold=True)
    y = page.text(to.name, x=m, y=y, size=5.0 * s, width=half, lines=2, bold=True)
    details = [to.company, *to.lines, to.locality, to.country]
    details.append(f"Ph {to.phone}" if to.phone else "")
    y = page.text("\n".join(d for d in details if d), x=m, y=y, size=4.0 * s, width=half, lines=8)
    if order.notes:
        x = m + page.inner * 0.52
        y_notes = page.text("NOTES", x=x, y=y_notes, size=3.0 * s, width=half, bold=True)
        page.text(order.notes, x=x, y=y_notes, size=3.5 * s, width=half, lines=10)
    return max(y, _addresses_bottom(page)) + 4 * s


def _table(page: _Page, rows: list[_Row], y: float) -> float:
    """The column headings and this page's rows, each with a tick box."""
    s, size = page.scale, 3.5 * page.scale
    x = page.margin
    for title, share in COLUMNS:
        page.line(title, x=x + 1, y=y, size=size, width=page.inner * share - 2, bold=True)
        x += page.inner * share
    page.rule(y + size * LEADING + 1 * s, weight=0.4)
    y += _table_head(page)
    for row in rows:
        x = page.margin
        for i, ((_, share), cell) in enumerate(zip(COLUMNS[:-1], row.cells, strict=True)):
            for n, text in enumerate(cell):
                page.line(
                    text,
                    x=x + 1,
                    y=y + n * size * LEADING,
                    size=size,
                    width=page.inner * share - 2,
                    bold=i == 0,
                )
            x += page.inner * share
        box = 4.0 * s
        page.canvas.setLineWidth(0.3 * mm)
        page.canvas.rect((x + 1) * mm, (page.size.height_mm - y - box) * mm, box * mm, box * mm)
        y += row.height
        page.rule(y - 1.25 * s, weight=0.15)
    return y


def _totals(page: _Page, order: PackingSlip, y: float) -> None:
    """Line and item counts under the last row."""
    items = sum((Decimal(line.qty) for line in order.lines), Decimal(0))
    text = f"{len(order.lines)} lines, {format_qty(items)} items" if order.lines else "No lines"
    page.text(
        text,
        x=page.margin,
        y=y + 2 * page.scale,
        size=4.0 * page.scale,
        width=page.inner,
        bold=True,
    )
