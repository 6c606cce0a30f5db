"""A consignment's timeline: each step from the scan to Shopify, with how long it took."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.models import Consignment, OutboxItem, OutboxKind, PrintJob

WRITEBACK_STEPS = {
    OutboxKind.DISPATCHED: "Cin7 order marked Dispatched",
    OutboxKind.FREIGHT: "Freight pushed to Cin7",
    OutboxKind.SHOPIFY: "Shopify trigger called",
}


@dataclass(frozen=True, slots=True)
class Step:
    """One step: what happened, when, and the seconds since the scan (None if unknown)."""

    label: str
    at: datetime
    since_scan: float | None
    detail: str = ""


def timeline(session: Session, consignment: Consignment) -> list[Step]:
    """Every step that has happened, in time order ("why was this slow or late?")."""
    start = consignment.scanned_at
    raw: list[tuple[str, datetime | None, str]] = [
        ("Scanned at the bench", consignment.scanned_at, ""),
        ("Checks passed, consignment recorded", consignment.created_at, ""),
        ("Booked with the carrier", consignment.booked_at, ", ".join(consignment.tickets)),
    ]
    jobs = session.scalars(
        select(PrintJob)
        .where(
            PrintJob.dedupe_key.startswith(f"consignment-{consignment.id}-parcel-", autoescape=True)
        )
        .order_by(PrintJob.id)
    ).all()
    for job in jobs:
        raw.append(("Label rendered and queued", job.created_at, job.printer.name))
        raw.append(("Label sent to the printer", job.done_at, job.description))
    items = session.scalars(
        select(OutboxItem)
        .where(OutboxItem.consignment_id == consignment.id)
        .order_by(OutboxItem.id)
    ).all()
    for item in items:
        raw.append((WRITEBACK_STEPS[item.kind], item.done_at, ""))
    raw.append(("Voided", consignment.voided_at, ""))
    steps = [
        Step(label, at, (at - start).total_seconds() if start else None, detail)
        for label, at, detail in raw
        if at is not None
    ]
    return sorted(steps, key=lambda step: step.at)


@dataclass(frozen=True, slots=True)
class ConsignmentHistory:
    """A consignment with its write-backs and timeline, for the order page."""

    consignment: Consignment
    writebacks: list[OutboxItem]
    steps: list[Step]


def order_history(session: Session, order_id: int) -> list[ConsignmentHistory]:
    """The order's consignments, oldest first, each with its write-backs and timeline."""
    consignments = session.scalars(
        select(Consignment).where(Consignment.order_id == order_id).order_by(Consignment.id)
    ).all()
    return [
        ConsignmentHistory(
            consignment,
            list(
                session.scalars(
                    select(OutboxItem)
                    .where(OutboxItem.consignment_id == consignment.id)
                    .order_by(OutboxItem.id)
                )
            ),
            timeline(session, consignment),
        )
        for consignment in consignments
    ]
