"""Job bodies for the print queue; they run inside an app context."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from flask import current_app
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, joinedload

from printers.tcp import SilentPrinters
from station.db import utcnow
from station.extensions import db
from station.models import JobState, Printer, PrintJob
from station.printing.queue import DrainResult, drain_printer, recover_interrupted, send_in_turn
from station.printing.transports import queue_transport

log = logging.getLogger(__name__)


def _silent_printers() -> SilentPrinters:
    """This process's memo of printers that do not answer ``~HS`` (outlives one queue pass)."""
    return current_app.extensions.setdefault("station.silent_printers", SilentPrinters())


def run_print_queue(printer_id: int) -> DrainResult | None:
    """Send one printer's due jobs; returns what happened (None for an unknown printer)."""
    try:
        printer = db.session.get(Printer, printer_id)
        if printer is None or not printer.active or printer.agent_id is not None:
            return None
        transport = queue_transport(printer, silent=_silent_printers())
        return drain_printer(db.session, printer, transport)
    finally:
        db.session.remove()


def print_here(printer: Printer, jobs: Sequence[PrintJob] = ()) -> DrainResult | None:
    """Send the printer's due jobs with the caller's session (a request that just queued them).

    Each job is claimed and committed before its bytes leave, as in the queue's own
    pass; None for a printer the server does not drive (inactive, or an agent's).
    ``jobs``, the ones the request queued, go first when they are next in line.
    """
    if not printer.active or printer.agent_id is not None:
        return None
    transport = queue_transport(printer, silent=_silent_printers())
    sent = send_in_turn(db.session, printer.id, jobs, transport) if jobs else None
    return sent if sent is not None else drain_printer(db.session, printer, transport)


def sweep_print_queues() -> list[int]:
    """Fail jobs a dead process left mid-send, then return printers with jobs due now."""
    try:
        recovered = recover_interrupted(db.session, now=utcnow())
        if recovered:
            log.warning(
                "%d print jobs were interrupted while sending and need a reprint", recovered
            )
        due = db.session.scalars(
            select(PrintJob.printer_id)
            .join(Printer)
            .where(
                PrintJob.state == JobState.QUEUED,
                PrintJob.next_attempt_at <= utcnow(),
                Printer.agent_id.is_(None),
            )
            .distinct()
        ).all()
        return list(due)
    finally:
        db.session.remove()


def as_printed(session: Session, jobs: Sequence[PrintJob]) -> Sequence[PrintJob]:
    """``jobs`` as their print left them: as they are when printing here kept them loaded
    (``print_here``), else read again in one statement (a queue pass or a failure expired
    them, or ended their session)."""
    if all(_loaded(job) for job in jobs):
        return jobs
    return session.scalars(
        select(PrintJob)
        .options(joinedload(PrintJob.printer))
        .where(PrintJob.id.in_([job.id for job in jobs]))
        .order_by(PrintJob.id)
    ).all()


def _loaded(job: PrintJob) -> bool:
    state = inspect(job)
    return not state.detached and not state.expired_attributes and "printer" not in state.unloaded
