"""What the bench needs besides ``ship_order``: finding a scanned order, reading a weight,
counting scanned items against the open order."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from station.dispatch.catalog import bench_catalog
from station.dispatch.holds import save_item_counts
from station.dispatch.verify import (
    Counted,
    ItemCheck,
    OrderItem,
    OrderScanned,
    WrongItem,
    count_scan,
    start_check,
)
from station.errors import StationError
from station.ids import parse_id
from station.models import Printer, ProductOption, SalesOrder, User
from station.uow import UnitOfWork

MAX_PARCEL_GRAMS = 70_000
_BENCH_KEY = re.compile(r"bench-(\d+)-[0-9a-f]{16}")
_WEIGHT = re.compile(r"^\s*([-+]?\s*\d+(?:[.,]\d+)?)\s*(kg|g)?\s*$", re.IGNORECASE)


class WeightInvalid(StationError):
    """The weight typed or read cannot be used; the message says what to type.

    ``field`` names the form field to put the message beside and the cursor in.
    """

    def __init__(self, message: str, *, field: str = "weight") -> None:
        super().__init__(message)
        self.field = field


class ParcelTooHeavy(WeightInvalid):
    """More than one parcel can weigh; ``grams`` is what was typed (the bench offers a split)."""

    def __init__(self, message: str, *, grams: int) -> None:
        super().__init__(message)
        self.grams = grams


def find_order(session: Session, scanned: str) -> SalesOrder | None:
    """The order a scan names: its reference (the packing slip's barcode), Cin7 id or PO."""
    text = scanned.strip()
    if not text:
        return None
    conditions = [
        func.lower(SalesOrder.reference) == text.lower(),
        func.lower(SalesOrder.customer_order_no) == text.lower(),
    ]
    cin7_id = parse_id(text) if len(text) <= 12 else None
    if cin7_id is not None:
        conditions.append(SalesOrder.cin7_id == cin7_id)
    return (
        session.scalars(
            select(SalesOrder)
            .options(joinedload(SalesOrder.lines))  # the bench shows them: one read, not two
            .where(or_(*conditions))
            .order_by(SalesOrder.id)
            .limit(1)
        )
        .unique()
        .first()
    )


def bench_printer(session: Session, chosen_id: int | None) -> Printer | None:
    """The printer a bench prints on: the one chosen there (or the person's default) while
    it is active, else the first active printer; None when there is none."""
    return bench_catalog(session).printer(chosen_id)


def parse_weight(text: str) -> int:
    """Grams from what the packer typed: kilograms by default ("1.25"), or "1250 g"."""
    match = _WEIGHT.match(text or "")
    if match is None:
        raise WeightInvalid(f"Type the weight in kg, for example 1.25 (not {text.strip()!r}).")
    try:
        amount = Decimal(re.sub(r"\s", "", match.group(1)).replace(",", "."))
    except InvalidOperation as exc:  # pragma: no cover - the pattern only lets numbers through
        raise WeightInvalid(f"{text!r} is not a weight.") from exc
    grams = int(amount if (match.group(2) or "kg").lower() == "g" else amount * 1000)
    if grams <= 0:
        raise WeightInvalid("The weight must be above 0; weigh the packed parcel.")
    if grams > MAX_PARCEL_GRAMS:
        raise ParcelTooHeavy(
            f"{Decimal(grams) / 1000:g} kg is more than one parcel can weigh "  # no float: any size
            f"({MAX_PARCEL_GRAMS // 1000} kg); split it into parcels.",
            grams=grams,
        )
    return grams


def new_ship_key(order_id: int) -> str:
    """The idempotency key of one opening of an order at a bench (a double Enter reuses it)."""
    return f"bench-{order_id}-{uuid.uuid4().hex[:16]}"


def order_of_key(key: str) -> int | None:
    """The order a bench key was made for (``bench-<order id>-<random>``); None for other keys."""
    match = _BENCH_KEY.fullmatch(key)
    return int(match[1]) if match else None


def item_check(session: Session, order: SalesOrder, counts: Mapping[int, int]) -> ItemCheck:
    """The order's lines to scan (SKU, line barcode, product option barcode), with ``counts``."""
    option_ids = {line.product_option_id for line in order.lines if line.product_option_id}
    options = {
        option.cin7_id: option
        for option in session.scalars(
            select(ProductOption).where(ProductOption.cin7_id.in_(option_ids))
        )
    }
    items = []
    for line in order.lines:
        option = options.get(line.product_option_id) if line.product_option_id else None
        barcodes = (
            line.barcode,
            option.barcode if option else None,
            option.code if option else None,
        )
        items.append(
            OrderItem(
                line_id=line.id,
                code=line.code or "",
                name=line.name or "",
                qty=line.qty,
                barcodes=tuple(code for code in barcodes if code),
            )
        )
    return start_check(order.reference, items).with_counts(counts)


def scan_item(session: Session, check: ItemCheck, scanned: str) -> Counted:
    """Count one item scan; an order's reference is refused as such (``OrderScanned``).

    Item codes win: a barcode that also reads as an order's Cin7 id counts as the item.
    """
    try:
        return count_scan(check, scanned)
    except WrongItem:
        other = find_order(session, scanned)
        if other is None:
            raise
        raise OrderScanned(other.reference, check) from None


def count_scanned_item(actor: User, order_id: int, check: ItemCheck, scanned: str) -> Counted:
    """Count one item scan against the order ``actor`` holds and keep the counts on the hold.

    Raises ``ItemScanRefused`` (nothing kept) for a scan that does not count. The order
    and its lines stay loaded after the commit: the bench draws the item panel from them.
    """
    uow = UnitOfWork(actor)
    counted = scan_item(uow.session, check, scanned)  # only reads: a refusal changes nothing
    with uow:
        save_item_counts(uow.session, order_id, actor, counted.check.counts())
        uow.commit(expire=False)
    return counted
