"""The weight box at the bench: what it received, and whether that is a weight at all.

A barcode scanner types like a keyboard, so a scan meant for the item check or for the
next order can land in the weight box. It is refused, never shipped as kilograms:

- the code of an item on the open order (an extra item, once every item is counted);
- a barcode-length number (8 to 48 digits, ``BARCODE_DIGITS``: EAN-8 and longer);
- anything the bench saw arrive at scanner speed (``keyed == SCANNED``: keys a few ms
  apart ending in Enter, measured by bench.js).

Then the weight itself: a number in kg (or "g"), above 0, at most one parcel's sane
maximum, no lighter than the chosen package's empty box and within the chosen service's
weight limit. Every refusal is a ``WeightInvalid`` whose message says what to do.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.orm import Session

from station.carriers.base import Parcel
from station.carriers.errors import CarrierError
from station.dispatch.bench import WeightInvalid, parse_weight
from station.dispatch.verify import ItemCheck, normal_code
from station.labels.layout import format_weight
from station.shipping.carriers import carrier_for

BARCODE_DIGITS = range(8, 49)  # EAN-8 up to the longest Code 128 a label carries
SCANNED = "scanner"
_DIGITS = re.compile(r"\d+")


def read_weight(text: str, *, keyed: str = "", check: ItemCheck | None = None) -> int:
    """Grams from the weight box; a scan that landed there is refused as one."""
    typed = (text or "").strip()
    item = _item_named(check, typed) if check is not None else None
    if check is not None and item is not None:
        if check.complete:
            raise WeightInvalid(
                f"{item} was scanned into the weight box: all {check.wanted} items are "
                "counted, so it is an extra one. Take it out (it was not counted), "
                "then type the weight."
            )
        raise WeightInvalid(
            f"{item} was scanned into the weight box: scan items in the scan box "
            f"(still to scan {', '.join(check.missing())}), then type the weight."
        )
    barcode = bool(_DIGITS.fullmatch(typed)) and len(typed) in BARCODE_DIGITS
    if barcode or (keyed == SCANNED and typed):
        what = f"{typed[:40]!r} looks like a scanned barcode, not a weight"
        if check is not None and check.complete:
            what += f": all {check.wanted} items are counted, so take out any extra item"
        raise WeightInvalid(f"{what}. Type the weight in kg, for example 1.25.")
    return parse_weight(typed)


def check_service_limit(
    session: Session, parcels: Sequence[Parcel], *, carrier_code: str, service_code: str
) -> None:
    """Refuse parcels over the chosen service's weight limit before the carrier is asked."""
    try:
        services = carrier_for(session, carrier_code).services()
    except CarrierError:
        return  # an unknown or unreachable carrier is the booking's to report
    service = next((s for s in services if s.code == service_code), None)
    limit = service.max_weight_grams if service is not None else None
    if limit is None:
        return
    for index, parcel in enumerate(parcels, start=1):
        if parcel.weight_grams > limit:
            which = f"Parcel {index}" if len(parcels) > 1 else "The parcel"
            raise WeightInvalid(
                f"{which} weighs {format_weight(parcel.weight_grams)}, over "
                f"{service.name}'s {format_weight(limit)} limit: choose another service "
                "or split it into parcels."
            )


def _item_named(check: ItemCheck, typed: str) -> str | None:
    """The label of the order line whose code ``typed`` is, if any."""
    code = normal_code(typed)
    return next((line.label for line in check.lines if code and code in line.codes), None)


def _sentence(text: str) -> str:
    return f"{text[:1].upper()}{text[1:]}."
