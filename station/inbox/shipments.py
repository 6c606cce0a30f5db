"""The shipment check: reading back from Cin7 which submitted orders shipped or were canceled.

Only orders in Cin7 that have neither shipped nor been canceled are asked about, 250 per
call (``where=id IN (...)``: as many as one page holds, and short enough for the URL, see
``cin7.filters``), so 500 waiting orders cost two calls and an idle inbox none. A dispatched order takes
Cin7's dispatched date, tracking code and carrier and moves to the *After shipment*
folder; a void one moves to *If canceled*. Dispatched means Cin7 says so (stage
*Dispatched*, or every line shipped), never a ``dispatchedDate`` alone: Station may have
sent that date itself (the ``DispatchedDate`` checkout field) on an order nobody has packed.
Cin7 then marks every line shipped at once too, so for such an order only the stage counts.
Each change is claimed with a conditional UPDATE, so two checks at once log it once.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from station.cin7.client import MAX_ROWS, Cin7Client
from station.cin7.filters import in_filters
from station.cin7.types import SalesOrder
from station.inbox.bus import Settled, record_event
from station.inbox.checkout import DISPATCHED_DATE
from station.inbox.folders import Step, move_order, step_folder
from station.inbox.options import InboxOptions
from station.models import InboxEventKind, InboxOrder
from station.sitetime import DAY_TIME, said

ClientFactory = Callable[[], AbstractContextManager[Cin7Client]]


@dataclass(frozen=True, slots=True)
class ShipmentReport:
    """What one check found: orders asked about, shipped, canceled, and Cin7 calls made."""

    checked: int = 0
    shipped: tuple[int, ...] = ()
    canceled: tuple[int, ...] = ()
    calls: int = 0
    webhooks: int = 0  # webhooks the rules queued (start a delivery pass)


def waiting_for_shipment(session: Session) -> list[InboxOrder]:
    """Orders in Cin7 that have neither shipped nor been canceled yet, oldest first."""
    return list(
        session.scalars(
            select(InboxOrder)
            .where(
                InboxOrder.cin7_id.is_not(None),
                InboxOrder.shipped_at.is_(None),
                InboxOrder.canceled_at.is_(None),
            )
            .order_by(InboxOrder.id)
        )
    )


def check_shipments(
    session: Session,
    connect: ClientFactory,
    *,
    options: InboxOptions,
    now: datetime,
    by: str = "",
) -> ShipmentReport:
    """Ask Cin7 about every waiting order and record what shipped or was canceled; commits.

    Raises the Cin7Error of a failed call (nothing is recorded then).
    """
    waiting = waiting_for_shipment(session)
    session.commit()  # no write lock may be held while Cin7 is asked
    if not waiting:
        return ShipmentReport()
    ids = sorted({o.cin7_id for o in waiting if o.cin7_id is not None})
    seen: dict[int, SalesOrder] = {}
    calls = 0
    with connect() as client:
        for where in in_filters("id", ids):
            seen.update({o.id: o for o in client.sales_orders(where=where, rows=MAX_ROWS)})
            calls += 1
    shipped: list[int] = []
    canceled: list[int] = []
    settled = Settled()  # a job's: scheduled orders are left to the periodic sweep
    for order in waiting:
        cin7 = seen.get(order.cin7_id or 0)
        if cin7 is None:
            continue  # Cin7 no longer lists it; it stays waiting and is asked again next time
        void = cin7.is_void or (cin7.status or "").upper() == "VOID"
        if void:
            done = _canceled(session, order, options, now=now, by=by)
            found = canceled
        elif dispatched_in_cin7(cin7, dated_by_station=DISPATCHED_DATE in order.checkout):
            done = _shipped(session, order, cin7, options, now=now, by=by)
            found = shipped
        else:
            continue
        if done is not None:
            found.append(order.id)
            settled += done
    session.commit()
    return ShipmentReport(
        len(waiting), tuple(shipped), tuple(canceled), calls, webhooks=settled.webhooks
    )


def dispatched_in_cin7(cin7: SalesOrder, *, dated_by_station: bool = False) -> bool:
    """Whether Cin7 reports the order dispatched: stage *Dispatched*, or every line shipped.

    A ``dispatchedDate`` alone does not count: a shop's checkout field can set it when the
    order is submitted, long before anything leaves the warehouse. Cin7 marks every line
    shipped when it takes that date, so for an order Station sent one (``dated_by_station``)
    only the stage counts.
    """
    if (cin7.stage or "").strip().casefold() == "dispatched":
        return True
    if dated_by_station:
        return False
    lines = [line for line in cin7.lines if line.qty > 0]
    return bool(lines) and all(line.qty_shipped >= line.qty for line in lines)


def _claim(session: Session, order: InboxOrder, **values: object) -> bool:
    """Set ``values`` unless another check already recorded the order's shipment or cancel."""
    result = session.execute(
        update(InboxOrder)
        .where(
            InboxOrder.id == order.id,
            InboxOrder.shipped_at.is_(None),
            InboxOrder.canceled_at.is_(None),
        )
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _shipped(
    session: Session,
    order: InboxOrder,
    cin7: SalesOrder,
    options: InboxOptions,
    *,
    now: datetime,
    by: str,
) -> Settled | None:
    """Record the dispatch unless another check did; what the rules left, None if not mine."""
    shipped_at = cin7.dispatched_date or now
    if not _claim(
        session,
        order,
        shipped_at=shipped_at,
        tracking_code=cin7.tracking_code,
        logistics_carrier=cin7.logistics_carrier,
    ):
        return None
    how = " ".join(p for p in (cin7.logistics_carrier, cin7.tracking_code) if p)
    settled = record_event(
        session,
        order,
        InboxEventKind.SHIPPED,
        f"Cin7 dispatched it on {said(shipped_at, DAY_TIME)}" + (f" ({how})." if how else "."),
        at=now,
        by=by,
        detail={"tracking_code": cin7.tracking_code, "carrier": cin7.logistics_carrier},
    )
    folder = step_folder(session, options, Step.AFTER_SHIPMENT)
    return settled + (move_order(session, order, folder, at=now, by=by) or Settled())


def _canceled(
    session: Session, order: InboxOrder, options: InboxOptions, *, now: datetime, by: str
) -> Settled | None:
    """Record the cancel unless another check did; what the rules left, None if not mine."""
    if not _claim(session, order, canceled_at=now):
        return None
    settled = record_event(
        session,
        order,
        InboxEventKind.CANCELED,
        f"Cin7 order {order.cin7_reference} is void.",
        at=now,
        by=by,
    )
    folder = step_folder(session, options, Step.IF_CANCELED)
    return settled + (move_order(session, order, folder, at=now, by=by) or Settled())
