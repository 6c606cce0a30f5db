"""A booked consignment's labels on a printer's queue: queued once, reprinted on request.

Every label job points at its consignment (``consignment_id``); each parcel's first label
job also carries its ``parcel`` number, and the dedupe key ``consignment-<id>-parcel-<n>``
so a retried dispatch queues it once. Reprints are new jobs pointing back
(``reprint_of``) at the job they repeat, so the newest job in that chain says whether the
parcel's label is out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.labels.layout import LabelLayout
from station.models import Consignment, ConsignmentState, JobState, Printer, PrintJob
from station.printing.queue import ReprintRefused, queue_job, reprint
from station.printing.render import render_for_printer
from station.printing.withheld import void_note
from station.shipping.codec import layout_from_json

REPRINT_DEPTH = 8  # reprints of reprints followed this far when telling a label's state


def label_key(consignment_id: int, parcel: int) -> str:
    """The dedupe key of a parcel's first label job: queued once however often asked."""
    return f"consignment-{consignment_id}-parcel-{parcel}"


def queue_consignment_labels(
    session: Session, consignment: Consignment, printer: Printer, *, booked_now: bool = False
) -> list[PrintJob]:
    """Queue each parcel's label for ``printer``; calling again queues nothing new.

    Each job's dedupe key names the consignment and parcel, so a retried dispatch finds
    the jobs already queued instead of printing a second set (reprints are explicit).
    ``booked_now``: the consignment was booked in this transaction, so no job of it can
    exist yet and none is looked for. The jobs are added, not flushed: they get their ids
    with the caller's next flush.
    """
    return [
        queue_job(
            session,
            printer,
            payload,
            kind="label",
            format=fmt,
            description=_describe(layout),
            dedupe_key=label_key(consignment.id, layout.parcel_index),
            consignment_id=consignment.id,
            parcel=layout.parcel_index,
            key_is_new=booked_now,
        )
        for layout, payload, fmt in _rendered(consignment, printer)
    ]


def reprint_labels(
    session: Session, consignment: Consignment, *, printer: Printer | None = None
) -> list[PrintJob]:
    """Print every label of the consignment again, as new jobs (does not commit).

    Without ``printer`` the same bytes go to the printer the labels went to; with one,
    the labels are drawn afresh for it. Raises ``ReprintRefused`` for a consignment that
    is not booked, has no label of Station's (booked on the carrier's portal), or whose
    first labels have not finished printing.
    """
    what = f"Consignment {', '.join(consignment.tickets) or consignment.reference}"
    if consignment.state == ConsignmentState.VOIDED:
        raise ReprintRefused(void_note(session, consignment))
    if consignment.state != ConsignmentState.CREATED:
        raise ReprintRefused(f"{what} is {consignment.state.value}: only booked labels print.")
    if not consignment.labels:
        raise ReprintRefused(
            f"{what} was booked on the carrier's own portal: print its label there."
        )
    first = _first_jobs(session, consignment.id)
    if printer is None:
        if not first:
            raise ReprintRefused(f"{what} has not been printed anywhere yet: choose a printer.")
        jobs = [reprint(session, job) for job in first.values()]
        session.flush()
        return jobs
    jobs = [
        queue_job(
            session,
            printer,
            payload,
            kind="reprint",
            format=fmt,
            description=f"Reprint of {_describe(layout)}",
            reprint_of=first.get(layout.parcel_index),
            consignment_id=consignment.id,
        )
        for layout, payload, fmt in _rendered(consignment, printer)
    ]
    session.flush()
    return jobs


def label_states(session: Session, consignment_ids: Iterable[int]) -> dict[int, list[JobState]]:
    """Per consignment, the state of each parcel's newest label job (its latest reprint)."""
    ids = list(consignment_ids)
    if not ids:
        return {}
    first = session.execute(
        select(PrintJob.id, PrintJob.consignment_id, PrintJob.state).where(
            PrintJob.consignment_id.in_(ids), PrintJob.parcel.is_not(None)
        )
    ).all()
    owner = {job_id: consignment_id for job_id, consignment_id, _ in first}
    newest = {job_id: (job_id, state) for job_id, _, state in first}  # first job -> newest
    chain = {job_id: job_id for job_id in newest}  # any job -> its first job
    frontier = list(newest)
    for _ in range(REPRINT_DEPTH):
        if not frontier:
            break
        repeats = session.execute(
            select(PrintJob.id, PrintJob.reprint_of_id, PrintJob.state).where(
                PrintJob.reprint_of_id.in_(frontier)
            )
        ).all()
        for job_id, of_id, state in repeats:
            root = chain[job_id] = chain[of_id]
            if job_id > newest[root][0]:
                newest[root] = (job_id, state)
        frontier = [job_id for job_id, _, _ in repeats]
    states: dict[int, list[JobState]] = defaultdict(list)
    for root, (_, state) in sorted(newest.items()):
        states[owner[root]].append(state)
    return dict(states)


def _first_jobs(session: Session, consignment_id: int) -> dict[int, PrintJob]:
    """The consignment's first label job of each parcel, by parcel number, in parcel order."""
    jobs = session.scalars(
        select(PrintJob).where(
            PrintJob.consignment_id == consignment_id, PrintJob.parcel.is_not(None)
        )
    )
    found = {int(job.parcel or 0): job for job in jobs}
    return dict(sorted(found.items()))  # parcel 1 first: a reprint comes out in order


def _rendered(
    consignment: Consignment, printer: Printer
) -> Iterator[tuple[LabelLayout, bytes, str]]:
    """Each parcel's label layout with its bytes and format for ``printer``."""
    for label in consignment.labels:
        layout = layout_from_json(label)
        payload, fmt = render_for_printer(printer, layout)
        yield layout, payload, fmt


def _describe(layout: LabelLayout) -> str:
    return f"{layout.reference} {layout.parcel_text} ({layout.ticket})"
