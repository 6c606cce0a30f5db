"""A consignment's timeline: each step from the scan to Shopify, with how long it took."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.dispatch.bulk import bulk_run_of
from station.models import Consignment, JobState, OutboxItem, OutboxKind, PrintJob

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
        (_start_label(consignment), consignment.scanned_at, ""),
        ("Checks passed, consignment recorded", consignment.created_at, ""),
        ("Booked with the carrier", consignment.booked_at, ", ".join(consignment.tickets)),
    ]
    jobs = session.scalars(
        select(PrintJob)
        .where(PrintJob.consignment_id == consignment.id, PrintJob.parcel.is_not(None))
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


def scan_to_label_seconds(session: Session, *, since: datetime) -> list[float]:
    """Seconds from the scan to the first label sent to the printer, for each consignment
    scanned since ``since`` whose label has gone out (the packer's wait at the bench)."""
    scanned: dict[int, datetime] = {
        consignment_id: at
        for consignment_id, at in session.execute(
            select(Consignment.id, Consignment.scanned_at).where(Consignment.scanned_at >= since)
        )
        if at is not None
    }
    printed: dict[int, datetime] = {}
    jobs = session.execute(
        select(PrintJob.consignment_id, PrintJob.done_at).where(
            PrintJob.state == JobState.DONE,
            PrintJob.created_at >= since,
            PrintJob.parcel.is_not(None),  # a parcel's first label, not a reprint
        )
    )
    for consignment_id, done_at in jobs:
        if consignment_id is None or consignment_id not in scanned or done_at is None:
            continue  # a reprint, or a label of a consignment scanned before ``since``
        printed[consignment_id] = min(done_at, printed.get(consignment_id, done_at))
    return [
        max(0.0, (done_at - scanned[consignment_id]).total_seconds())
        for consignment_id, done_at in sorted(printed.items())
    ]


def _start_label(consignment: Consignment) -> str:
    """Where the consignment began: a bench's scan, or a manager's bulk run (no scan at all)."""
    run_id = bulk_run_of(consignment.idempotency_key)
    return f"Taken up by bulk dispatch {run_id}" if run_id else "Scanned at the bench"
