"""Booking a consignment with a carrier: recorded first, booked once, charged with markup.

``book_consignment`` is the one way Station creates consignments:

1. The ``idempotency_key`` finds an earlier attempt. A booked one (created or voided)
   is returned as it is: the same key never books twice.
2. Otherwise a ``pending`` row records the request (the shipment as JSON, the order, the
   cost centre, who asked). For a carrier across the network (``carrier.remote``) that
   row is committed before the carrier is asked, so a crash while waiting leaves a
   record and the retry replays exactly the recorded request under the same key. A
   local carrier (own label) books inside the caller's transaction, so the consignment,
   its label job and its Cin7 write-backs commit together or not at all.
3. The carrier books through its store (``SqlConsignmentStore``), which fills in
   tickets, cost, tracking and label layouts; the charge is the cost centre's markup.

Refusals (``ShipmentRefused``, ``TicketRangeExhausted``) mark a recorded remote attempt
``failed`` with the reason, so a later attempt under the same key may book a corrected
shipment; an unreachable carrier (``CarrierUnavailable``) leaves it ``pending``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.carriers.base import Carrier, Shipment
from station.carriers.errors import CarrierError, CarrierUnavailable
from station.carriers.markup import charged_amount
from station.models import (
    Consignment,
    ConsignmentParcel,
    ConsignmentState,
    CostCentre,
    SalesOrder,
    User,
)
from station.shipping.codec import shipment_from_json, shipment_to_json
from station.shipping.costs import markup_of
from station.shipping.records import BOOKED


class _NotLookedUp:
    """``existing`` was not given: ``book_consignment`` looks the key up itself."""


NOT_LOOKED_UP: Final = _NotLookedUp()


def book_consignment(
    session: Session,
    carrier: Carrier,
    shipment: Shipment,
    *,
    key: str,
    order: SalesOrder | None = None,
    cost_centre: CostCentre | None = None,
    user: User | None = None,
    is_return: bool = False,
    return_of: Consignment | None = None,
    existing: Consignment | None | _NotLookedUp = NOT_LOOKED_UP,
    scanned_at: datetime | None = None,
) -> Consignment:
    """Book ``shipment`` under ``key`` (or return what that key already booked).

    ``return_of`` links a return to the consignment it sends back (and makes it a return).
    ``existing`` is the row under ``key`` (None: there is none) when the caller has just
    looked it up in this transaction, so it is not read twice. ``scanned_at`` (when the
    bench opened the order) is kept on a row that has none yet.

    A local carrier's new row is written once, booked: nothing is flushed before the
    carrier has filled it in (its tickets, cost, labels and charge), so one INSERT of the
    consignment and one of its parcels stand where a pending row and its updates were.
    It is the same transaction either way, so a crash leaves the same (nothing).
    """
    row = (
        session.scalar(select(Consignment).where(Consignment.idempotency_key == key))
        if isinstance(existing, _NotLookedUp)
        else existing
    )
    if row is not None and row.state in BOOKED:
        return row
    remote = bool(getattr(carrier, "remote", True))
    if row is not None and row.state == ConsignmentState.PENDING and remote:
        shipment = shipment_from_json(row.shipment)  # replay exactly what may have been sent
    # a return is one from the first flush: the order's one live outgoing consignment
    # (uq_consignment_live_order) must never see it as a second
    is_return = is_return or return_of is not None
    row = _record_attempt(
        session, row, carrier, shipment, key, order, cost_centre, user, is_return=is_return
    )
    if return_of is not None:
        row.return_of = return_of
    if row.scanned_at is None:
        row.scanned_at = scanned_at
    if remote:
        session.flush()
        session.commit()
    try:
        result = carrier.create(shipment, key)
    except CarrierUnavailable:
        raise
    except CarrierError as exc:
        if remote:
            row.state, row.error = ConsignmentState.FAILED, str(exc)
            session.commit()
        raise
    row.charged = charged_amount(result.cost, markup_of(row.cost_centre))
    session.flush()
    return row


def _record_attempt(
    session: Session,
    row: Consignment | None,
    carrier: Carrier,
    shipment: Shipment,
    key: str,
    order: SalesOrder | None,
    cost_centre: CostCentre | None,
    user: User | None,
    *,
    is_return: bool,
) -> Consignment:
    """Write (or rewrite, after a refusal) the pending row for this attempt (not flushed)."""
    if row is None:
        row = Consignment(idempotency_key=key)
        session.add(row)
    row.state, row.error = ConsignmentState.PENDING, None
    row.is_return = is_return
    row.carrier = carrier.code
    row.service_code = shipment.service_code
    row.reference = shipment.reference[:64]
    row.order = order
    row.cost_centre = cost_centre
    row.created_by = user
    row.shipment = shipment_to_json(shipment)
    row.parcels = [
        ConsignmentParcel(
            position=index,
            weight_grams=parcel.weight_grams,
            length_mm=parcel.length_mm,
            width_mm=parcel.width_mm,
            height_mm=parcel.height_mm,
            package=parcel.package,
        )
        for index, parcel in enumerate(shipment.parcels, 1)
    ]
    return row
