"""A booked consignment's labels onto a printer's queue: one job per parcel, queued once."""

from __future__ import annotations

from sqlalchemy.orm import Session

from station.models import Consignment, Printer, PrintJob
from station.printing.queue import queue_job
from station.printing.render import render_for_printer
from station.shipping.codec import layout_from_json


def queue_consignment_labels(
    session: Session, consignment: Consignment, printer: Printer
) -> list[PrintJob]:
    """Queue each parcel's label for ``printer``; calling again queues nothing new.

    Each job's dedupe key names the consignment and parcel, so a retried dispatch finds
    the jobs already queued instead of printing a second set (reprints are explicit).
    """
    jobs = []
    for label in consignment.labels:
        layout = layout_from_json(label)
        payload, fmt = render_for_printer(printer, layout)
        jobs.append(
            queue_job(
                session,
                printer,
                payload,
                kind="label",
                format=fmt,
                description=f"{layout.reference} {layout.parcel_text} ({layout.ticket})",
                dedupe_key=f"consignment-{consignment.id}-parcel-{layout.parcel_index}",
            )
        )
    session.flush()
    return jobs
