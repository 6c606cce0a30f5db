"""A voided consignment's label never prints again, from anywhere.

Every print job of a consignment's label (first print or reprint) carries
``consignment_id``. The void withdraws the consignment's unprinted jobs
(``withdraw_jobs``); the server's queue and the agents' API check the job they are about
to send (``withheld_reason``) in case it was queued after the void; and every reprint is
refused. Each refusal says who voided the consignment and when (``void_note``).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from station import audit
from station.models import Consignment, ConsignmentState, JobState, Printer, PrintJob
from station.sitetime import DAY_TIME, said


def void_note(session: Session, consignment: Consignment) -> str:
    """ "Consignment 8001 (SO-1042) was voided by alice at 2026-12-05 14:02 UTC: ..." """
    voided = audit.last_event(session, consignment, "consignment.voided")
    by = f" by {voided.actor_username or 'Station'}" if voided else ""
    at = f" at {said(consignment.voided_at, DAY_TIME)}" if consignment.voided_at else ""
    tickets = ", ".join(consignment.tickets)
    what = f"{tickets} ({consignment.reference})" if tickets else consignment.reference
    return f"Consignment {what} was voided{by}{at}: its label can never be printed again."


def withheld_reason(session: Session, job: PrintJob) -> str | None:
    """Why ``job`` must not print (its consignment was voided), else None."""
    if job.consignment_id is None:
        return None
    consignment = session.get(Consignment, job.consignment_id)
    if consignment is None or consignment.state != ConsignmentState.VOIDED:
        return None
    return void_note(session, consignment)


def voided_jobs(session: Session, jobs: Sequence[PrintJob]) -> frozenset[int]:
    """The ids of those of ``jobs`` whose consignment was voided (no Reprint): one query."""
    consignment_ids = {job.consignment_id for job in jobs if job.consignment_id is not None}
    if not consignment_ids:
        return frozenset()
    voided = set(
        session.scalars(
            select(Consignment.id).where(
                Consignment.id.in_(consignment_ids),
                Consignment.state == ConsignmentState.VOIDED,
            )
        )
    )
    return frozenset(job.id for job in jobs if job.consignment_id in voided)


def withhold(job: PrintJob, reason: str) -> None:
    """Fail ``job`` with ``reason`` instead of printing it (does not commit)."""
    job.state, job.last_error = JobState.FAILED, f"Not printed. {reason}"


def withdraw_jobs(session: Session, consignment: Consignment) -> int:
    """Fail every unprinted job of the voided ``consignment``; returns how many.

    Queued jobs, and jobs handed to an agent that has not reported back (an agent asks
    again after a restart and must not be given them). A job the server itself is
    sending has left already; the void's answer tells the person to check the printer.
    """
    agent_printers = select(Printer.id).where(Printer.agent_id.is_not(None))
    note = void_note(session, consignment)
    result = session.execute(
        update(PrintJob)
        .where(
            PrintJob.consignment_id == consignment.id,
            or_(
                PrintJob.state == JobState.QUEUED,
                and_(
                    PrintJob.state == JobState.SENDING,
                    PrintJob.printer_id.in_(agent_printers),
                ),
            ),
        )
        .values(state=JobState.FAILED, last_error=f"Not printed. {note}")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0
