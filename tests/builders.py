"""Builders shared by the tests: orders, printers and shipments made the way Station makes them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.carriers.base import Parcel
from station.cin7.sandbox import SandboxState
from station.dispatch.options import DispatchOptions, FreightPush, Sender, save_options
from station.dispatch.ship import ShipRequest, ship_order
from station.models import (
    CostCentre,
    OrderLine,
    OutboxItem,
    PackagePreset,
    Printer,
    Product,
    ProductOption,
    SalesOrder,
)
from station.settings import SettingsStore

NOW = datetime(2026, 11, 25, 2, 30, tzinfo=UTC)


def add_order(session: Session, cin7_id: int = 5001, **changes: Any) -> SalesOrder:
    """An approved, shippable order SO-<cin7_id> with one line (``changes`` override fields)."""
    fields: dict[str, Any] = {
        "cin7_id": cin7_id,
        "reference": f"SO-{cin7_id}",
        "stage": "New",
        "is_approved": True,
        "delivery_first_name": "Mere",
        "delivery_last_name": "Tūhoe",
        "delivery_address1": "45 Queen Street",
        "delivery_city": "Auckland",
        "delivery_postal_code": "1010",
        "delivery_country": "New Zealand",
        "cin7_modified": NOW,
        "internal_comments": "Leave at the door",
    }
    fields.update(changes)
    order = SalesOrder(**fields)
    order.lines = [
        OrderLine(position=1, code="TEE-BLK-M", name="Tee", qty=Decimal(2), product_id=77)
    ]
    session.add(order)
    session.flush()
    return order


def add_printer(session: Session) -> Printer:
    """A ZPL printer in memory, as a bench has."""
    printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
    session.add(printer)
    session.flush()
    return printer


@dataclass(frozen=True, slots=True)
class BenchSetup:
    """What a realistic bench ships with: its orders, printer, cost centre and box."""

    order_ids: tuple[int, ...]
    references: tuple[str, ...]
    printer_id: int
    cost_centre_id: int
    preset_id: int


def realistic_bench_order(session: Session, *, orders: int = 2) -> BenchSetup:
    """``orders`` orders as a packing floor ships them, with the setup a manager has made.

    Each order has three lines of synced products (one by a product option's barcode), a
    delivery address and a customer reference; the bench has a ZPL printer in memory, a
    default cost centre with a markup, a carton preset, and freight pushed to Cin7 at the
    charged amount. Shipped on the own-label carrier. Commits.
    """
    store = SettingsStore(session)
    save_options(store, DispatchOptions(freight_push=FreightPush.CHARGED))
    centre = CostCentre(
        name="Retail", markup_percent=Decimal("12.5"), markup_fixed=Decimal("1.50"), is_default=True
    )
    preset = PackagePreset(
        name="Carton", length_mm=400, width_mm=300, height_mm=200, tare_grams=350
    )
    printer = Printer(
        name="Bench 1", bench="Bench 1", spec={"format": "zpl", "transport": "memory"}
    )
    tee = Product(cin7_id=77, name="Tee", style_code="TEE", stock_control="FIFO", weight_grams=220)
    tee.options = [ProductOption(cin7_id=7701, code="TEE-BLK-M", barcode="9400000000024")]
    mug = Product(cin7_id=78, name="Mug", style_code="MUG", stock_control="FIFO", weight_grams=400)
    session.add_all([centre, preset, printer, tee, mug])
    added = []
    for n in range(orders):
        order = add_order(session, cin7_id=6001 + n, customer_order_no=f"PO-{6001 + n}")
        order.lines = [
            OrderLine(
                position=1,
                code="TEE-BLK-M",
                name="Tee",
                qty=Decimal(2),
                product_id=77,
                product_option_id=7701,
                unit_price=Decimal("29.90"),
            ),
            OrderLine(
                position=2,
                code="MUG-1",
                name="Mug",
                qty=Decimal(1),
                product_id=78,
                barcode="9400000000017",
                unit_price=Decimal("14.00"),
            ),
            OrderLine(position=3, code="CARD", name="Gift card", qty=Decimal(1)),
        ]
        added.append(order)
    session.commit()
    return BenchSetup(
        order_ids=tuple(order.id for order in added),
        references=tuple(order.reference for order in added),
        printer_id=printer.id,
        cost_centre_id=centre.id,
        preset_id=preset.id,
    )


def ship(session: Session, order: SalesOrder, key: str = "bench-1-a", **options: Any) -> Any:
    """Ship ``order`` as one Enter at the bench does.

    ``options`` are DispatchOptions fields; ``req`` holds ShipRequest fields to change.
    """
    return ship_order(
        session,
        order.id,
        ShipRequest(
            **{
                "key": key,
                "parcels": (Parcel(1200),),
                "service_code": "ON",
                **options.pop("req", {}),
            }
        ),
        printer=session.scalar(select(Printer)) or add_printer(session),
        user=None,
        options=DispatchOptions(**options),
        sender=Sender(),
        now=NOW,
    )


def count(session: Session, model: type) -> int:
    """How many rows ``model`` has."""
    return session.scalar(select(func.count()).select_from(model)) or 0


def open_orders(state: SandboxState, n: int) -> list[int]:
    """The ids of the first ``n`` sandbox orders not dispatched or void."""
    ids = [
        o["id"]
        for o in state.orders.values()
        if o["dispatchedDate"] is None and o["stage"] != "Dispatched" and not o.get("isVoid")
    ]
    return ids[:n]


def ship_sandbox_order(
    session: Session, cin7_id: int, options: DispatchOptions, *, now: datetime
) -> list[OutboxItem]:
    """Take sandbox order ``cin7_id`` into Station and ship it; the write-backs it queued."""
    order = SalesOrder(
        cin7_id=cin7_id,
        reference=f"SO-{cin7_id}",
        delivery_first_name="Mere",
        delivery_address1="45 Queen Street",
        delivery_city="Auckland",
        delivery_postal_code="1010",
        delivery_country="New Zealand",
        cin7_modified=now,
        lines=[OrderLine(position=1, code="TEE", name="Tee", qty=1)],
    )
    session.add(order)
    printer = session.scalar(select(Printer))
    if printer is None:
        printer = Printer(name="Bench", spec={"format": "zpl", "transport": "memory"})
        session.add(printer)
    session.flush()
    shipped = ship_order(
        session,
        order.id,
        ShipRequest(key=f"bench-{cin7_id}", parcels=(Parcel(1000),), service_code="ON"),
        printer=printer,
        user=None,
        options=options,
        sender=Sender(),
        now=now,
    )
    return shipped.writebacks


def puts(state: SandboxState) -> list[Any]:
    """Every PUT the sandbox was sent."""
    return [r for r in state.api_calls() if r.method == "PUT"]
