"""Item checks at the bench: each scanned product code counted against the order's lines.

Pure values and functions: no database, no Flask. A line counts scans of its SKU or any
of its barcodes (case and surrounding spaces ignored). A line of a whole quantity needs
that many scans; a line of a fractional quantity (sold by weight or length) needs one,
which shows it is packed, since scanning cannot count its amount. A line with neither SKU
nor barcode cannot be scanned: it is shown, and left to the packer's eye.

ItemScanRefused (a StationError)
 ├── WrongItem      the code is on no line of the order; it was not counted
 ├── TooManyItems   every line with that code is already fully counted
 ├── OrderScanned   an order's reference was scanned while this order is being checked
 └── ItemsMissing   shipping was asked for before every line was counted
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from station.errors import StationError


class ItemScanRefused(StationError):
    """A scan did not count, or the order cannot ship yet; the message says what to do."""


class WrongItem(ItemScanRefused):
    """The scanned code is not on the order."""

    def __init__(self, scanned: str, reference: str) -> None:
        self.scanned = scanned
        super().__init__(
            f"{scanned!r} is not on {reference}: take it out of the parcel (it was not counted)."
        )


class TooManyItems(ItemScanRefused):
    """Every line with the scanned code is already fully counted."""

    def __init__(self, scanned: str, line: ItemLine, check: ItemCheck | None = None) -> None:
        self.scanned = scanned
        if check is not None and check.complete:
            message = (
                f"Extra {line.label}: all {check.wanted} items are counted; "
                f"take it out ({scanned!r} was not counted)."
            )
        else:
            message = (
                f"Too many {line.label}: all {line.wanted} are already scanned; "
                f"take the extra one out ({scanned!r} was not counted)."
            )
        super().__init__(message)


class OrderScanned(ItemScanRefused):
    """An order's reference was scanned while ``check``'s order is open: no silent switch."""

    def __init__(self, reference: str, check: ItemCheck) -> None:
        self.reference = reference
        left = (
            f"still to scan {', '.join(check.missing())}"
            if not check.complete
            else "every item is scanned: type the weight and press Enter"
        )
        if reference == check.reference:
            message = f"{reference} is already open ({left})."
        else:
            message = (
                f"{reference} is another order. {check.reference} is still open ({left}); "
                f"ship it or put it down before opening {reference}."
            )
        super().__init__(message)


class ItemsMissing(ItemScanRefused):
    """The order was to ship before every scannable line was counted."""

    def __init__(self, reference: str, missing: list[str]) -> None:
        self.missing = missing
        super().__init__(f"{reference} cannot ship yet: still to scan {', '.join(missing)}.")


@dataclass(frozen=True, slots=True)
class OrderItem:
    """One order line as the bench sees it before counting."""

    line_id: int
    code: str
    name: str
    qty: Decimal
    barcodes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemLine:
    """One line to count: which codes count for it, how many scans it needs, how many so far."""

    line_id: int
    label: str
    name: str
    codes: frozenset[str]
    wanted: int
    counted: int = 0

    @property
    def scannable(self) -> bool:
        """False for a line with no SKU or barcode (nothing a scanner could read)."""
        return bool(self.codes)

    @property
    def done(self) -> bool:
        """True once every unit is counted (or when the line cannot be scanned)."""
        return not self.scannable or self.counted >= self.wanted


@dataclass(frozen=True, slots=True)
class ItemCheck:
    """The lines of one order and what has been scanned of each."""

    reference: str
    lines: tuple[ItemLine, ...]

    @property
    def complete(self) -> bool:
        """True when every scannable line is fully counted."""
        return all(line.done for line in self.lines)

    @property
    def wanted(self) -> int:
        """How many item scans the whole order needs (lines that can be scanned)."""
        return sum(line.wanted for line in self.lines if line.scannable)

    def missing(self) -> list[str]:
        """What is still to scan, e.g. ``["TEE-BLK-M (1 of 2)"]``."""
        return [
            f"{line.label} ({line.wanted - line.counted} of {line.wanted})"
            for line in self.lines
            if not line.done
        ]

    def counts(self) -> dict[int, int]:
        """Scans so far by line id (lines with none left out), to keep between requests."""
        return {line.line_id: line.counted for line in self.lines if line.counted}

    def with_counts(self, counts: Mapping[int, int]) -> ItemCheck:
        """This check with ``counts`` by line id (unknown ids ignored, each kept to 0..wanted)."""
        return replace(
            self,
            lines=tuple(
                replace(line, counted=max(0, min(line.wanted, counts.get(line.line_id, 0))))
                for line in self.lines
            ),
        )


@dataclass(frozen=True, slots=True)
class Counted:
    """A scan that counted: the check after it, and the line it counted for."""

    check: ItemCheck
    line: ItemLine


def start_check(reference: str, items: Iterable[OrderItem]) -> ItemCheck:
    """A check with nothing scanned yet; lines with no quantity to pack are left out."""
    lines = []
    for item in items:
        if item.qty <= 0:
            continue
        codes = frozenset(
            c for c in (normal_code(item.code), *map(normal_code, item.barcodes)) if c
        )
        whole = item.qty == item.qty.to_integral_value()
        lines.append(
            ItemLine(
                line_id=item.line_id,
                label=item.code.strip() or item.name.strip() or "a line",
                name=item.name,
                codes=codes,
                wanted=int(item.qty) if whole else 1,
            )
        )
    return ItemCheck(reference, tuple(lines))


def count_scan(check: ItemCheck, scanned: str) -> Counted:
    """Count one scan against the first line it matches that still needs it.

    Raises ``WrongItem`` when no line has the code and ``TooManyItems`` when every line
    with it is full; either way nothing is counted.
    """
    code = normal_code(scanned)
    matching = [line for line in check.lines if code and code in line.codes]
    if not matching:
        raise WrongItem(scanned.strip(), check.reference)
    line = next((line for line in matching if not line.done), None)
    if line is None:
        raise TooManyItems(scanned.strip(), matching[0], check)
    counted = replace(line, counted=line.counted + 1)
    lines = tuple(counted if other is line else other for other in check.lines)
    return Counted(replace(check, lines=lines), counted)


def require_complete(check: ItemCheck) -> None:
    """Raise ``ItemsMissing`` (listing what is left) unless every line is counted."""
    if not check.complete:
        raise ItemsMissing(check.reference, check.missing())


def normal_code(code: str) -> str:
    """A scanned or typed code as lines hold theirs (case and surrounding spaces ignored)."""
    return code.strip().upper()
