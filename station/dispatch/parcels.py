"""The parcels of one consignment as typed at the bench: one row per box or bag.

Each row has a weight (kg unless "g" is typed) and either a package preset (its size,
and its empty weight as the least the parcel can weigh), dimensions typed as
length×width×height in cm ("40x30x20", or "400x300x200 mm"), both (the typed size wins,
the preset names the package), or neither. Rows are read in order and at most
``MAX_PARCELS`` make one consignment. The first problem found is raised as
``ParcelsInvalid`` naming its parcel ("Parcel 2: ...") and carrying the row number, so
the bench can put the cursor back in that row; one-parcel orders read as they always
did, without the "Parcel 1" prefix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import zip_longest

from sqlalchemy.orm import Session

from station.carriers.base import Parcel
from station.carriers.errors import ShipmentRefused
from station.carriers.markup import parcel_from_preset
from station.dispatch.bench import MAX_PARCEL_GRAMS, ParcelTooHeavy, WeightInvalid
from station.dispatch.catalog import bench_catalog
from station.dispatch.verify import ItemCheck
from station.dispatch.weights import read_weight
from station.errors import problems_sentence
from station.models import PackagePreset
from station.shipping.costs import preset_of

MAX_PARCELS = 20
MAX_SIDE_MM = 3_000
ADD_KEY = "+"  # the key that adds a parcel row at the bench (bench.js; the on-screen help)
_NUMBER = r"(\d+(?:[.,]\d+)?)"
_SIDES = re.compile(
    rf"^\s*{_NUMBER}\s*[x×*]\s*{_NUMBER}\s*[x×*]\s*{_NUMBER}\s*(cm|mm)?\s*$", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class ParcelRow:
    """One parcel row as typed: weight text, chosen preset (None: no preset), size text."""

    weight: str
    preset_id: int | None = None
    dimensions: str = ""


class ParcelsInvalid(WeightInvalid):
    """A parcel row cannot be used: ``row`` is its number (1-based).

    ``split_into`` is how many parcels a too-heavy weight needs, when that is the problem.
    """

    def __init__(self, message: str, *, row: int, split_into: int | None = None) -> None:
        super().__init__(message)
        self.row = row
        self.split_into = split_into


def parcel_rows(
    weights: Sequence[str], preset_ids: Sequence[int | None], dimensions: Sequence[str]
) -> list[ParcelRow]:
    """The rows of a form's repeated fields, in order; a field a row lacks reads as blank."""
    return [
        ParcelRow(weight or "", preset_id, size or "")
        for weight, preset_id, size in zip_longest(weights, preset_ids, dimensions)
        if weight is not None or preset_id is not None or size
    ]


def build_parcels(
    session: Session,
    rows: Sequence[ParcelRow],
    *,
    reference: str = "",
    keyed: str = "",
    check: ItemCheck | None = None,
) -> tuple[Parcel, ...]:
    """The consignment's parcels from the bench's rows; raises ``ParcelsInvalid``.

    Each weight is read as ``weights.read_weight`` reads the weight box: an item's code or
    a barcode is refused, never taken as kilograms (``check``: the open order's item
    count); ``keyed`` is how the last weight typed arrived (bench.js marks scanner speed).
    """
    if not rows:
        raise ParcelsInvalid("Type the weight in kg, for example 1.25.", row=1)
    if len(rows) > MAX_PARCELS:
        raise ParcelsInvalid(
            f"One consignment takes at most {MAX_PARCELS} parcels ({len(rows)} typed): "
            "pack into fewer cartons, or book it as freight with the carrier.",
            row=MAX_PARCELS + 1,
        )
    many = len(rows) > 1
    return tuple(
        _parcel(
            session,
            row,
            index,
            many=many,
            reference=reference,
            keyed=keyed if index == len(rows) else "",
            check=check,
        )
        for index, row in enumerate(rows, 1)
    )


def parse_dimensions(text: str) -> tuple[int, int, int] | None:
    """Millimetres from "40x30x20" (cm) or "400x300x200 mm"; None when blank.

    Raises ``ValueError`` with a sentence for the packer when the text is not a size.
    """
    if not text.strip():
        return None
    match = _SIDES.match(text)
    if match is None:
        raise ValueError(
            f"type the size as length×width×height in cm, for example 40x30x20 (not {text.strip()!r})"
        )
    scale = 1 if (match.group(4) or "cm").lower() == "mm" else 10
    sides = tuple(int(Decimal(side.replace(",", ".")) * scale) for side in match.groups()[:3])
    if not all(0 < side <= MAX_SIDE_MM for side in sides):
        raise ValueError(
            f"each side must be above 0 and at most {MAX_SIDE_MM // 10} cm (not {text.strip()!r})"
        )
    return sides[0], sides[1], sides[2]


def _parcel(
    session: Session,
    row: ParcelRow,
    index: int,
    *,
    many: bool,
    reference: str,
    keyed: str,
    check: ItemCheck | None,
) -> Parcel:
    """One row's parcel; every refusal names the row when there are several."""
    name = f"Parcel {index}"
    if many and not row.weight.strip():
        raise ParcelsInvalid(
            f"{name} has no weight: type it, or press Backspace in its empty weight box "
            "to remove the row.",
            row=index,
        )
    try:
        grams = read_weight(row.weight, keyed=keyed, check=check)
        sides = parse_dimensions(row.dimensions)
        preset = bench_catalog(session).get(PackagePreset, row.preset_id) if row.preset_id else None
        if row.preset_id and preset is None:
            raise ValueError("that package is no longer offered; choose another")
        parcel = (
            parcel_from_preset(preset_of(preset), grams, reference=reference)
            if preset
            else Parcel(grams)
        )
    except ParcelTooHeavy as exc:
        needed = -(-exc.grams // MAX_PARCEL_GRAMS)  # integers: a typed 10^400 has no float
        raise ParcelsInvalid(
            f"{_prefix(name, many)}{exc} Press {ADD_KEY} to add a parcel row.",
            row=index,
            split_into=needed if needed <= MAX_PARCELS else None,
        ) from exc
    except WeightInvalid as exc:
        raise ParcelsInvalid(f"{_prefix(name, many)}{exc}", row=index) from exc
    except ShipmentRefused as exc:
        raise ParcelsInvalid(
            f"{_prefix(name, many)}{problems_sentence(exc.problems)}", row=index
        ) from exc
    except ValueError as exc:
        raise ParcelsInvalid(
            f"{_prefix(name, many)}{problems_sentence([str(exc)])}", row=index
        ) from exc
    if sides is None:
        return parcel
    length, width, height = sides
    return Parcel(parcel.weight_grams, length, width, height, parcel.package)


def _prefix(name: str, many: bool) -> str:
    return f"{name}: " if many else ""
