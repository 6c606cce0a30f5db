"""What the bench needs besides ``ship_order``: finding a scanned order, reading a weight."""

from __future__ import annotations

import re
import uuid
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from station.errors import StationError
from station.models import SalesOrder

MAX_PARCEL_GRAMS = 70_000
_WEIGHT = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*(kg|g)?\s*$", re.IGNORECASE)


class WeightInvalid(StationError):
    """The weight typed or read cannot be used; the message says what to type."""


def find_order(session: Session, scanned: str) -> SalesOrder | None:
    """The order a scan names: its reference (the packing slip's barcode), Cin7 id or PO."""
    text = scanned.strip()
    if not text:
        return None
    conditions = [
        func.lower(SalesOrder.reference) == text.lower(),
        func.lower(SalesOrder.customer_order_no) == text.lower(),
    ]
    if text.isdigit() and len(text) <= 12:
        conditions.append(SalesOrder.cin7_id == int(text))
    return session.scalars(
        select(SalesOrder).where(or_(*conditions)).order_by(SalesOrder.id).limit(1)
    ).first()


def parse_weight(text: str) -> int:
    """Grams from what the packer typed: kilograms by default ("1.25"), or "1250 g"."""
    match = _WEIGHT.match(text or "")
    if match is None:
        raise WeightInvalid(f"Type the weight in kg, for example 1.25 (not {text.strip()!r}).")
    try:
        amount = Decimal(match.group(1).replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern only lets numbers through
        raise WeightInvalid(f"{text!r} is not a weight.") from exc
    grams = int(amount if (match.group(2) or "kg").lower() == "g" else amount * 1000)
    if grams <= 0:
        raise WeightInvalid("The weight must be above 0; weigh the packed parcel.")
    if grams > MAX_PARCEL_GRAMS:
        raise WeightInvalid(
            f"{grams / 1000:g} kg is more than one parcel can weigh "
            f"({MAX_PARCEL_GRAMS // 1000} kg); split it into parcels."
        )
    return grams


def new_ship_key(order_id: int) -> str:
    """The idempotency key of one opening of an order at a bench (a double Enter reuses it)."""
    return f"bench-{order_id}-{uuid.uuid4().hex[:16]}"
