"""Where each piece of a label goes, in millimetres from its top-left corner.

One plan feeds both renderers: ``zpl`` turns millimetres into printer dots and ``pdf``
into points, so text is wrapped and cut the same way on a Zebra and on paper. The
bottom zone (barcode, ticket, reference, date) is anchored to the bottom edge; taller
labels get their extra room between the addresses and the barcode.
"""

from __future__ import annotations

from dataclasses import dataclass

from station.addresses import Address
from station.labels.layout import LabelError, LabelLayout, LabelSize, fit_lines

MARGIN = 3.0
LEADING = 1.2  # line pitch as a multiple of the font size
BASELINE = 0.8  # baseline below the top of a line, as a multiple of the font size
QR_SIZE = 18.0
BARCODE_HEIGHT = 18.0
MODULE_MM = 0.375  # preferred Code 128 bar width: 3 dots at 203 dpi
QUIET_MODULES = 10  # Code 128 needs ten modules of white on each side
RULE_MM = 0.5
MIN_WIDTH_MM = 95.0
MIN_HEIGHT_MM = 145.0
_CHAR_WIDTH = {False: 0.58, True: 0.64}  # average glyph width per mm of font size


@dataclass(frozen=True, slots=True)
class TextLine:
    """One line of text; ``y`` is the top of the line, ``size`` the font size in mm."""

    x: float
    y: float
    width: float
    size: float
    text: str
    bold: bool
    max_chars: int


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal line across the label."""

    x: float
    y: float
    width: float
    thickness: float


@dataclass(frozen=True, slots=True)
class BarcodeBox:
    """The area a Code 128 of ``value`` (bars and quiet zones) must fit in."""

    x: float
    y: float
    width: float
    height: float
    value: str


@dataclass(frozen=True, slots=True)
class QrBox:
    """The square a QR code of ``value`` must fit in."""

    x: float
    y: float
    size: float
    value: str


@dataclass(frozen=True, slots=True)
class LabelPlan:
    """A label laid out in millimetres, ready for a renderer."""

    width: float
    height: float
    texts: tuple[TextLine, ...]
    rules: tuple[Rule, ...]
    barcode: BarcodeBox
    qr: QrBox | None


def chars_for(width_mm: float, size_mm: float, *, bold: bool = False) -> int:
    """How many average characters of ``size_mm`` fit across ``width_mm``."""
    return max(1, int(width_mm / (size_mm * _CHAR_WIDTH[bold])))


class _Sheet:
    """Collects the text lines and rules of one label while it is laid out."""

    def __init__(self, width: float) -> None:
        self.texts: list[TextLine] = []
        self.rules: list[Rule] = []
        self.inner = width - 2 * MARGIN

    def block(
        self,
        text: str | None,
        *,
        y: float,
        size: float,
        lines: int,
        x: float = MARGIN,
        width: float | None = None,
        bold: bool = False,
    ) -> float:
        """Add ``text`` fitted to the block; return the y just below it."""
        width = self.inner if width is None else width
        max_chars = chars_for(width, size, bold=bold)
        for line in fit_lines(text or "", max_chars, lines):
            self.texts.append(TextLine(x, y, width, size, line, bold, max_chars))
            y += size * LEADING
        return y

    def rule(self, y: float) -> float:
        """Add a rule at ``y``; return the y where the next block may start."""
        self.rules.append(Rule(MARGIN, y, self.inner, RULE_MM))
        return y + RULE_MM + 1.5


def plan_label(layout: LabelLayout, size: LabelSize) -> LabelPlan:
    """Lay out one shipping label on a label of ``size``."""
    width, height = size.width_mm, size.height_mm
    if width < MIN_WIDTH_MM or height < MIN_HEIGHT_MM:
        raise LabelError(
            f"a {size.name} label ({width} x {height} mm) is too small; "
            f"labels need at least {MIN_WIDTH_MM} x {MIN_HEIGHT_MM} mm"
        )
    sheet = _Sheet(width)
    y = _header(sheet, layout)
    y = sheet.rule(y + 0.5)
    y = sheet.block("FROM", y=y, size=2.5, lines=1, bold=True)
    y = sheet.block(_sender_text(layout.sender), y=y, size=3.0, lines=4)
    y = sheet.rule(y + 0.5)
    y = _receiver(sheet, layout.receiver, y)
    y = sheet.block(layout.instructions, y=y + 0.5, size=3.0, lines=2, bold=True)
    barcode, bottom_top = _bottom(sheet, layout, height)
    if y > bottom_top:
        raise LabelError(
            f"label for {layout.reference[:40]!r} does not fit a {size.name} label: "
            f"its text ends at {y:.1f} mm, the barcode zone starts at {bottom_top:.1f} mm"
        )
    qr = None
    if layout.tracking_url:
        qr = QrBox(width - MARGIN - QR_SIZE, MARGIN, QR_SIZE, layout.tracking_url)
    return LabelPlan(width, height, tuple(sheet.texts), tuple(sheet.rules), barcode, qr)


def _header(sheet: _Sheet, layout: LabelLayout) -> float:
    """Carrier, service and the parcel/weight row; the QR sits top right."""
    head_width = sheet.inner - QR_SIZE - 2 if layout.tracking_url else sheet.inner
    y = sheet.block(layout.carrier, y=MARGIN, size=3.2, lines=1, width=head_width)
    y = sheet.block(layout.service, y=y, size=6.0, lines=2, width=head_width, bold=True)
    if layout.tracking_url:
        y = max(y, MARGIN + QR_SIZE + 1.0)
    half = sheet.inner / 2
    row = y + 0.5
    sheet.block(layout.parcel_text, y=row, size=4.5, lines=1, width=half, bold=True)
    x_weight = MARGIN + half + 2
    return sheet.block(
        layout.weight_text, y=row, x=x_weight, size=4.5, lines=1, width=half - 2, bold=True
    )


def _receiver(sheet: _Sheet, to: Address, y: float) -> float:
    """The receiver block in large type."""
    y = sheet.block("TO", y=y, size=2.5, lines=1, bold=True)
    y = sheet.block(to.name, y=y, size=5.5, lines=2, bold=True)
    y = sheet.block(to.company, y=y, size=4.5, lines=1)
    y = sheet.block("\n".join(to.lines), y=y, size=4.5, lines=3)
    y = sheet.block(to.locality, y=y, size=5.0, lines=1, bold=True)
    y = sheet.block(to.country, y=y, size=4.5, lines=1)
    return sheet.block(f"Ph {to.phone}" if to.phone else "", y=y, size=3.5, lines=1)


def _bottom(sheet: _Sheet, layout: LabelLayout, height: float) -> tuple[BarcodeBox, float]:
    """Barcode, ticket number, reference and date, anchored to the bottom edge."""
    ref_y = height - MARGIN - 4.5 * LEADING
    sheet.block(
        f"Ref {layout.reference}",
        y=ref_y,
        size=4.5,
        lines=1,
        width=sheet.inner * 0.64,
        bold=True,
    )
    sheet.block(
        layout.printed_on.isoformat(),
        y=ref_y + 1.0,
        size=3.5,
        lines=1,
        x=MARGIN + sheet.inner * 0.68,
        width=sheet.inner * 0.32,
    )
    ticket_y = ref_y - 1.0 - 3.5 * LEADING
    # the ticket is typed in by hand when a barcode will not scan: shrink it, never cut it
    ticket_size = min(3.5, 0.99 * sheet.inner / (len(layout.ticket) * _CHAR_WIDTH[False]))
    sheet.block(layout.ticket, y=ticket_y, size=ticket_size, lines=1)
    bar_y = ticket_y - 0.5 - BARCODE_HEIGHT
    # the bars may use the full width: the side margins double as quiet zones
    barcode = BarcodeBox(0.0, bar_y, sheet.inner + 2 * MARGIN, BARCODE_HEIGHT, layout.ticket)
    rule_y = bar_y - 2.0
    sheet.rule(rule_y)
    return barcode, rule_y - 0.5


def _sender_text(sender: Address) -> str:
    """The sender compacted to a few short paragraphs."""
    first = ", ".join(part for part in (sender.name, sender.company) if part)
    place = " ".join(part for part in (sender.locality, sender.country) if part)
    phone = f"Ph {sender.phone}" if sender.phone else ""
    return "\n".join(part for part in (first, ", ".join(sender.lines), place, phone) if part)
