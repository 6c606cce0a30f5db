"""A carrier manifest as an A4 PDF: the consignments handed to the driver at close-out.

Every page has the manifest number (also as a barcode), the carrier, when it was closed
and "Page i of n"; the table continues over as many pages as it needs (a consignment
with more tickets than a page holds continues on the next); the last page has the
totals and a line for the driver to sign. Pure rendering, like the rest of this package.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from station.labels.drawing import draw_code128, draw_text, page_size
from station.labels.fonts import FontSet, load_fonts
from station.labels.layout import SIZE_A4, LabelError, fit_lines, format_weight
from station.labels.plan import BASELINE, LEADING, chars_for

MARGIN = 12.0
TEXT = 3.0  # table font size in mm
LINE = TEXT * LEADING
ROW_PAD = 1.6
HEADER_BOTTOM = MARGIN + 24.0
FOOTER = 8.0  # the page number line above the bottom margin
CLOSING = 26.0  # room the totals and the driver's signature need on the last page
# Column title, share of the table width, most lines a cell may wrap to (None: all).
COLUMNS: tuple[tuple[str, float, int | None], ...] = (
    ("Reference", 0.12, 2),
    ("Receiver", 0.19, 2),
    ("City", 0.15, 2),
    ("Postcode", 0.09, 1),
    ("Service", 0.11, 2),
    ("Tickets", 0.18, None),
    ("Parcels", 0.07, 1),
    ("Weight", 0.09, 1),
)


@dataclass(frozen=True, slots=True)
class ManifestLine:
    """One consignment on a manifest."""

    reference: str
    receiver: str
    city: str
    postcode: str
    service: str
    tickets: tuple[str, ...]
    parcels: int
    weight_grams: int


@dataclass(frozen=True, slots=True)
class ManifestSheet:
    """What a manifest PDF shows; ``closed_at`` is already in local time (its zone named)."""

    number: str
    carrier: str
    closed_at: datetime
    closed_by: str
    lines: tuple[ManifestLine, ...]
    cost_total: Decimal | None = None
    currency: str = "NZD"

    @property
    def parcel_count(self) -> int:
        """Parcels over every consignment."""
        return sum(line.parcels for line in self.lines)

    @property
    def weight_grams(self) -> int:
        """Weight over every consignment."""
        return sum(line.weight_grams for line in self.lines)


@dataclass(frozen=True, slots=True)
class _Row:
    """A consignment's cells, each fitted to its column; ``continued`` after a page break."""

    cells: tuple[tuple[str, ...], ...]
    continued: bool = False

    @property
    def lines(self) -> int:
        return max(1, *(len(cell) for cell in self.cells))

    @property
    def height(self) -> float:
        return self.lines * LINE + ROW_PAD


def render_manifest(sheet: ManifestSheet, *, fonts: FontSet | None = None) -> bytes:
    """Render ``sheet`` as an A4 PDF of one or more pages."""
    if not sheet.lines:
        raise LabelError(f"manifest {sheet.number} has no consignments to print")
    fonts = fonts or load_fonts()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=page_size(SIZE_A4), invariant=True)
    canvas.setTitle(f"Manifest {sheet.number}")
    canvas.setCreator("Station")
    page = _Page(canvas, fonts)
    pages = _paginate([_fit(page, line) for line in sheet.lines])
    for number, rows in enumerate(pages, start=1):
        _header(page, sheet)
        y = _table(page, rows, HEADER_BOTTOM + 3.0)
        if number == len(pages):
            _closing(page, sheet, y)
        page.text(
            f"{sheet.number} · Page {number} of {len(pages)}",
            x=MARGIN,
            y=SIZE_A4.height_mm - MARGIN - TEXT,
            size=TEXT,
            width=page.inner,
        )
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


class _Page:
    """Draws on an A4 page in millimetres measured from the top-left corner."""

    def __init__(self, canvas: Canvas, fonts: FontSet) -> None:
        self.canvas, self.fonts = canvas, fonts
        self.inner = SIZE_A4.width_mm - 2 * MARGIN

    def text(
        self, text: str, *, x: float, y: float, size: float, width: float, bold: bool = False
    ) -> float:
        """Draw one line whose top is at ``y`` (squeezed to ``width``); return the y below."""
        draw_text(
            self.canvas,
            self.fonts,
            text,
            x=x * mm,
            baseline=(SIZE_A4.height_mm - y - size * BASELINE) * mm,
            size=size * mm,
            max_width=width * mm,
            bold=bold,
        )
        return y + size * LEADING

    def rule(self, y: float, *, weight: float = 0.3) -> None:
        """A horizontal rule across the page at ``y``."""
        top = (SIZE_A4.height_mm - y) * mm
        self.canvas.setLineWidth(weight * mm)
        self.canvas.line(MARGIN * mm, top, (MARGIN + self.inner) * mm, top)


def _fit(page: _Page, line: ManifestLine) -> _Row:
    """Fit a consignment's values to their columns; every ticket is kept."""
    values = (
        line.reference,
        line.receiver,
        line.city,
        line.postcode,
        line.service,
        "\n".join(line.tickets),
        str(line.parcels),
        format_weight(line.weight_grams),
    )
    cells = []
    for value, (_, share, most) in zip(values, COLUMNS, strict=True):
        width = chars_for(page.inner * share - 2, TEXT)
        limit = most or max(1, value.count("\n") + 1) * 2  # long tickets may wrap once
        cells.append(fit_lines(value, width, limit))
    return _Row(tuple(cells))


def _paginate(rows: Sequence[_Row]) -> list[list[_Row]]:
    """Split rows into pages, a row too tall for what is left continuing on the next."""
    top = HEADER_BOTTOM + 3.0 + LINE + 2.0
    bottom = SIZE_A4.height_mm - MARGIN - FOOTER
    per_page = int((bottom - top - ROW_PAD) // LINE)
    pages: list[list[_Row]] = [[]]
    y = top
    for row in rows:
        while y + row.height > bottom:
            room = int((bottom - y - ROW_PAD) // LINE)
            if row.lines > per_page and room >= 2:
                head, row = _split(row, room)
                pages[-1].append(head)
            pages.append([])
            y = top
        pages[-1].append(row)
        y += row.height
    if y + CLOSING > bottom:
        pages.append([])  # the totals and signature get a page of their own
    return pages


def _split(row: _Row, lines: int) -> tuple[_Row, _Row]:
    """The first ``lines`` lines of a row, and the rest marked as continued."""
    head = tuple(cell[:lines] for cell in row.cells)
    rest = tuple(cell[lines:] for cell in row.cells)
    reference = (*row.cells[0][:1], "(continued)")
    rest = (reference, *rest[1:])
    return _Row(head, row.continued), _Row(rest, continued=True)


def _header(page: _Page, sheet: ManifestSheet) -> None:
    """Title, carrier, number and close-out time at the left; the number's barcode at right."""
    left = page.inner * 0.5
    y = page.text("Manifest", x=MARGIN, y=MARGIN, size=6.0, width=left, bold=True)
    y = page.text(sheet.carrier, x=MARGIN, y=y, size=4.5, width=left, bold=True)
    y = page.text(f"Manifest number {sheet.number}", x=MARGIN, y=y, size=3.5, width=left)
    closed = f"Closed {sheet.closed_at:%Y-%m-%d %H:%M} {sheet.closed_at.tzname() or ''}".rstrip()
    if sheet.closed_by:
        closed += f" by {sheet.closed_by}"
    page.text(closed, x=MARGIN, y=y, size=3.5, width=left)
    width, height = page.inner * 0.45, 14.0
    draw_code128(
        page.canvas,
        sheet.number,
        x=(MARGIN + page.inner - width) * mm,
        y=(SIZE_A4.height_mm - MARGIN - height) * mm,
        width=width * mm,
        height=height * mm,
    )
    page.rule(HEADER_BOTTOM, weight=0.5)


def _table(page: _Page, rows: Sequence[_Row], y: float) -> float:
    """The column headings and this page's rows; returns the y below the last row."""
    if not rows:
        return y
    x = MARGIN
    for title, share, _ in COLUMNS:
        page.text(title, x=x + 1, y=y, size=TEXT, width=page.inner * share - 2, bold=True)
        x += page.inner * share
    y += LINE + 1.0
    page.rule(y, weight=0.4)
    y += 1.0
    for row in rows:
        x = MARGIN
        for (title, share, _), cell in zip(COLUMNS, row.cells, strict=True):
            for n, text in enumerate(cell):
                page.text(
                    text,
                    x=x + 1,
                    y=y + n * LINE,
                    size=TEXT,
                    width=page.inner * share - 2,
                    bold=title == "Reference" and not row.continued,
                )
            x += page.inner * share
        y += row.height
        page.rule(y - ROW_PAD / 2, weight=0.15)
    return y


def _closing(page: _Page, sheet: ManifestSheet, y: float) -> None:
    """Totals under the table, then the driver's signature line."""
    count = len(sheet.lines)
    totals = (
        f"Total: {count} consignment{'s' if count != 1 else ''} · "
        f"{sheet.parcel_count} parcel{'s' if sheet.parcel_count != 1 else ''} · "
        f"{format_weight(sheet.weight_grams)}"
    )
    if sheet.cost_total is not None:
        totals += f" · cost {sheet.cost_total:.2f} {sheet.currency} (ex GST)"
    y = page.text(totals, x=MARGIN, y=y + 3.0, size=4.0, width=page.inner, bold=True)
    y += 8.0
    half = page.inner / 2
    page.text("Received by (driver) ______________________", x=MARGIN, y=y, size=3.5, width=half)
    page.text("Date and time ______________________", x=MARGIN + half, y=y, size=3.5, width=half)
