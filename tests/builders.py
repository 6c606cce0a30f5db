"""Builders shared by the tests: orders, printers and shipments made the way Station makes them."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.carriers.base import Parcel
from station.cin7.sandbox import SandboxState
from station.dispatch.options import DispatchOptions, Sender
from station.dispatch.ship import ShipRequest, ship_order
from station.models import (
    OrderLine,
    OutboxItem,
    Printer,
    SalesOrder,
)

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
