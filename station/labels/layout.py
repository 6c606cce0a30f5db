"""What goes on a shipping label or packing slip, and how text is fitted to a block.

These values are pure data: the ZPL and PDF renderers both read them, so a label looks
the same on a Zebra and on paper.

LabelError (ValueError) — a label or slip cannot be rendered; ``str()`` says why.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from station.addresses import Address

ELLIPSIS = "…"


class LabelError(ValueError):
    """A label or packing slip cannot be rendered as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class LabelSize:
    """A label (or sheet) size in millimetres."""

    name: str
    width_mm: float
    height_mm: float


SIZE_4X6 = LabelSize("4x6", 101.6, 152.4)
SIZE_100X150 = LabelSize("100x150", 100.0, 150.0)
SIZE_100X175 = LabelSize("100x175", 100.0, 175.0)
SIZE_A6 = LabelSize("A6", 105.0, 148.0)
SIZE_A5 = LabelSize("A5", 148.0, 210.0)
SIZE_A4 = LabelSize("A4", 210.0, 297.0)
LABEL_SIZES = (SIZE_4X6, SIZE_100X150, SIZE_100X175, SIZE_A6, SIZE_A4)


def size_named(name: str) -> LabelSize:
    """Return the label size called ``name`` (as stored in printer settings)."""
    for size in (*LABEL_SIZES, SIZE_A5):
        if size.name.lower() == name.strip().lower():
            return size
    known = ", ".join(size.name for size in LABEL_SIZES)
    raise LabelError(f"unknown label size {name!r}; choose one of {known}")


@dataclass(frozen=True, slots=True)
class LabelLayout:
    """Everything printed on one parcel's shipping label."""

    sender: Address
    receiver: Address
    service: str
    carrier: str
    ticket: str
    tracking_url: str | None
    parcel_index: int
    parcel_count: int
    weight_grams: int
    reference: str
    printed_on: date
    instructions: str | None = None

    def __post_init__(self) -> None:
        problems = barcode_problems("ticket", self.ticket)
        if self.parcel_count < 1:
            problems.append(f"parcel count must be at least 1, not {self.parcel_count}")
        elif not 1 <= self.parcel_index <= self.parcel_count:
            problems.append(f"parcel {self.parcel_index} is outside 1..{self.parcel_count}")
        if self.weight_grams < 0:
            problems.append(f"weight cannot be negative ({self.weight_grams} g)")
        if problems:
            raise LabelError(f"label for {self.reference!r}: " + "; ".join(problems))

    @property
    def parcel_text(self) -> str:
        """'Parcel 1 of 3'."""
        return f"Parcel {self.parcel_index} of {self.parcel_count}"

    @property
    def weight_text(self) -> str:
        """The weight in kilograms, e.g. '1.25 kg'."""
        return format_weight(self.weight_grams)


@dataclass(frozen=True, slots=True)
class PackingSlipLine:
    """One order line to pick and pack."""

    sku: str
    name: str
    qty: Decimal | int
    options: str = ""


@dataclass(frozen=True, slots=True)
class PackingSlip:
    """An order's packing slip: who it goes to and what goes in the box."""

    reference: str
    ship_to: Address
    lines: tuple[PackingSlipLine, ...]
    printed_on: date
    notes: str | None = None
    title: str = "Packing slip"
    barcode: str = ""  # what the barcode carries, when not the reference

    def __post_init__(self) -> None:
        problems = barcode_problems("reference", self.code)
        if problems:
            raise LabelError(f"packing slip {self.code!r}: " + "; ".join(problems))

    @property
    def code(self) -> str:
        """The text of the slip's barcode: ``barcode``, else the reference."""
        return self.barcode or self.reference


def barcode_problems(what: str, value: str) -> list[str]:
    """List why ``value`` cannot be a Code 128 barcode (empty list when it can)."""
    if not value:
        return [f"{what} is empty"]
    problems = []
    if any(not " " <= ch <= "~" for ch in value):
        problems.append(f"{what} must be printable ASCII for Code 128")
    if len(value) > 48:
        problems.append(f"{what} is {len(value)} characters; at most 48 fit a barcode")
    return problems


def format_weight(grams: int) -> str:
    """Grams as kilograms without trailing zeros: 1250 -> '1.25 kg'."""
    kg = f"{Decimal(grams) / 1000:.3f}".rstrip("0").rstrip(".")
    return f"{kg} kg"


def format_qty(qty: Decimal | int) -> str:
    """A quantity without a needless decimal part: Decimal('2.000') -> '2'."""
    text = f"{Decimal(qty):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def clean_text(text: str) -> str:
    """NFC-normalise text, turn control characters into spaces and keep line breaks."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    out = []
    for ch in text:
        category = unicodedata.category(ch)
        if ch == "\n":
            out.append(ch)
        elif category == "Cc":
            out.append(" ")
        elif category == "Cs":  # a lone surrogate cannot be encoded as UTF-8
            out.append("\ufffd")
        else:
            out.append(ch)
    return "".join(out)


def fit_lines(text: str, max_chars: int, max_lines: int) -> tuple[str, ...]:
    """Wrap ``text`` on words into at most ``max_lines`` lines of ``max_chars``.

    Line breaks in ``text`` start a new line; words longer than a line are broken; when
    the text does not fit, the last line ends with "…".
    """
    if max_chars < 1 or max_lines < 1:
        raise ValueError(f"cannot fit text into {max_lines} lines of {max_chars} chars")
    lines: list[str] = []
    for paragraph in clean_text(text).split("\n"):
        _wrap_into(lines, paragraph.split(), max_chars, limit=max_lines + 1)
        if len(lines) > max_lines:
            break
    if len(lines) <= max_lines:
        return tuple(lines)
    kept = lines[:max_lines]
    last = kept[-1]
    if len(last) >= max_chars:
        last = last[: max_chars - 1]
    kept[-1] = last.rstrip() + ELLIPSIS
    return tuple(kept)


def _wrap_into(lines: list[str], words: list[str], max_chars: int, *, limit: int) -> None:
    """Append greedily wrapped ``words`` to ``lines``, stopping once ``limit`` is reached."""
    current = ""
    for word in words:
        if current and len(current) + 1 + len(word) <= max_chars:
            current = f"{current} {word}"
            continue
        if current:
            lines.append(current)
        while len(word) > max_chars and len(lines) < limit:
            lines.append(word[:max_chars])
            word = word[max_chars:]
        current = word
        if len(lines) >= limit:
            return
    if current:
        lines.append(current)
