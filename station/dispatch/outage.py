"""Carrier outage: queue a consignment at the bench, book it when the carrier answers again.

The failed attempt's ``pending`` row already records the exact request (it was committed
before the carrier was asked). Queuing marks it with the bench's printer; a job books
every queued consignment in order once the carrier answers, prints its labels on that
printer and records the Cin7 write-backs, exactly as an Enter at the bench would have.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.carriers.errors import CarrierError, CarrierUnavailable
from station.dispatch.holds import release_hold
from station.dispatch.options import DispatchOptions
from station.dispatch.writebacks import record_writebacks
from station.errors import StationError
from station.models import Consignment, ConsignmentState, Printer, User
from station.shipping.booking import book_consignment
from station.shipping.carriers import carrier_for
from station.shipping.codec import shipment_from_json
from station.shipping.labels import queue_consignment_labels
from station.uow import UnitOfWork

log = logging.getLogger(__name__)


class QueueRefused(StationError):
    """Nothing waits to be queued under this key."""


@dataclass(frozen=True, slots=True)
class QueuedBookings:
    """What one pass over the queued consignments did."""

    booked: list[int]
    refused: list[int]
    waiting: int


def queue_for_carrier(
    actor: User | None, key: str, *, printer: Printer, now: datetime
) -> Consignment:
    """``actor`` queues the attempt recorded under ``key`` (its carrier did not answer) to be
    booked, and printed on ``printer``, when the carrier answers; commits and audits."""
    with UnitOfWork(actor) as uow:
        row = uow.session.scalar(select(Consignment).where(Consignment.idempotency_key == key))
        if row is None or row.state != ConsignmentState.PENDING:
            raise QueueRefused(
                "Nothing is waiting for the carrier under this scan; press Enter again."
            )
        row.queued_at, row.printer_id = row.queued_at or now, printer.id
        uow.record("consignment.queued", target=row, detail={"printer": printer.name})
        uow.commit(expire=False)
    return row


def book_queued(session: Session, *, options: DispatchOptions, now: datetime) -> QueuedBookings:
    """Book queued consignments in the order they were queued; stop at the first outage."""
    queued = session.scalars(
        select(Consignment)
        .where(Consignment.state == ConsignmentState.PENDING, Consignment.queued_at.is_not(None))
        .order_by(Consignment.queued_at, Consignment.id)
    ).all()
    booked, refused = [], []
    for row in queued:
        try:
            carrier = carrier_for(session, row.carrier)
            book_consignment(
                session,
                carrier,
                shipment_from_json(row.shipment),
                key=row.idempotency_key,
                order=row.order,
                cost_centre=row.cost_centre,
                user=row.created_by,
            )
        except CarrierUnavailable as exc:
            session.rollback()
            log.info(
                "carrier %s still unreachable (%s); queued consignments wait", row.carrier, exc
            )
            break
        except CarrierError as exc:
            session.rollback()
            log.warning("queued consignment %s refused by the carrier: %s", row.id, exc)
            refused.append(row.id)
            continue
        printer = session.get(Printer, row.printer_id) if row.printer_id else None
        if printer is not None:
            queue_consignment_labels(session, row, printer)
        if row.order is not None:
            record_writebacks(session, row.order, row, options, carrier_name=carrier.name, now=now)
            release_hold(session, row.order.id)
        session.commit()
        booked.append(row.id)
    waiting = len(queued) - len(booked) - len(refused)
    return QueuedBookings(booked, refused, waiting)
