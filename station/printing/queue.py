"""Queueing, sending and reprinting print jobs.

A job is written (queued) before any byte leaves. Sending moves it to ``sending`` and
commits, then hands the bytes to the printer's transport. What happens next decides
whether a retry is safe:

- the printer took the bytes → ``done``;
- nothing reached the printer (connection refused, paper out, paused) → back to
  ``queued`` with a later ``next_attempt_at``; later jobs for that printer wait, so
  labels come out in order;
- some bytes may have reached it (dropped mid-send), or the printer rejected the job,
  or the process died while ``sending`` → ``failed`` with the reason. These are never
  retried automatically, because a raw printer gives no receipt and a retry could print
  the label twice; a person reprints with one click.

The queue is a :mod:`station.queue` (an attempt counts when the job is claimed); its own
policy is that a cut-off send is never sent again, and a job waits for as long as its
printer is unreachable (no attempt limit).

A job of a voided consignment's label is never sent nor reprinted
(``station.printing.withheld``): it fails with who voided it and when.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, exists, func, select, update
from sqlalchemy.orm import Session, aliased, scoped_session
from sqlalchemy.orm.attributes import set_committed_value

from printers.errors import PrinterError, PrinterOffline
from printers.transport import Transport
from station.db import utcnow
from station.errors import StationError
from station.models import JobState, Printer, PrintJob
from station.printing.withheld import withheld_reason, withhold
from station.queue import RetryPolicy, claim, fail, recover, retry_later, succeed

log = logging.getLogger(__name__)

SENDING_LEASE = timedelta(minutes=2)  # a job "sending" longer than this was interrupted
BACKOFF_FIRST = 2.0  # seconds before the first retry; doubles up to BACKOFF_MAX
BACKOFF_MAX = 60.0
POLICY = RetryPolicy(None, BACKOFF_FIRST, BACKOFF_MAX, SENDING_LEASE, resend_cut_off=False)
INTERRUPTED = (
    "Interrupted while sending: check the printer and reprint if the label did not come out."
)


class ReprintRefused(StationError):
    """A job cannot be reprinted (not finished yet, or its consignment was voided)."""


@dataclass(frozen=True, slots=True)
class DrainResult:
    """What one pass over a printer's queue did."""

    printed: int
    waiting: int
    failed: int
    retry_in: float | None  # seconds until the next attempt is due, when jobs wait


def queue_job(
    session: Session,
    printer: Printer,
    payload: bytes,
    *,
    kind: str,
    format: str,
    description: str = "",
    dedupe_key: str | None = None,
    reprint_of: PrintJob | None = None,
    consignment_id: int | None = None,
    parcel: int | None = None,
    now: datetime | None = None,
    key_is_new: bool = False,
) -> PrintJob:
    """Record a job for ``printer``, due at ``now``; the same ``dedupe_key`` returns the
    job already queued.

    ``key_is_new``: the caller knows no job can hold ``dedupe_key`` yet (it names a
    consignment booked in this transaction), so it is not looked up; the unique key
    still refuses a second job.
    """
    if dedupe_key is not None and not key_is_new:
        existing = session.scalar(select(PrintJob).where(PrintJob.dedupe_key == dedupe_key))
        if existing is not None:
            return existing
    job = PrintJob(
        printer=printer,
        kind=kind,
        format=format,
        payload=payload,
        description=description,
        dedupe_key=dedupe_key,
        reprint_of_id=reprint_of.id if reprint_of else None,
        consignment_id=consignment_id,
        parcel=parcel,
        state=JobState.QUEUED,
        next_attempt_at=now or utcnow(),
    )
    session.add(job)
    return job


def reprint(session: Session, job: PrintJob, *, description: str | None = None) -> PrintJob:
    """Queue the same bytes again as a new job (an explicit reprint, never automatic)."""
    withheld = withheld_reason(session, job)
    if withheld is not None:
        raise ReprintRefused(withheld)
    if job.state in (JobState.QUEUED, JobState.SENDING):
        raise ReprintRefused(
            f"Print job {job.id} has not finished yet; wait for it before reprinting."
        )
    return queue_job(
        session,
        job.printer,
        job.payload,
        kind="reprint",
        format=job.format,
        description=description or f"Reprint of {job.description or f'job {job.id}'}",
        reprint_of=job,
        consignment_id=job.consignment_id,
    )


def retry_now(session: Session, printer: Printer, *, now: datetime) -> int:
    """Make the printer's waiting jobs due at once (its problem was fixed); returns how many.

    Failed jobs are not touched: a person reprints those (see the module docstring).
    """
    result = session.execute(
        update(PrintJob)
        .where(
            PrintJob.printer_id == printer.id,
            PrintJob.state == JobState.QUEUED,
            PrintJob.next_attempt_at > now,
        )
        .values(next_attempt_at=now)
    )
    return result.rowcount or 0


def recover_interrupted(session: Session, *, now: datetime) -> int:
    """Fail jobs a dead server worker left ``sending``; returns how many. Commits."""
    server_printers = select(Printer.id).where(Printer.agent_id.is_(None))
    _, failed = recover(
        session,
        PrintJob,
        now=now,
        policy=POLICY,
        note=INTERRUPTED,
        where=[PrintJob.printer_id.in_(server_printers)],  # agents' jobs wait for their agent
    )
    return failed


def drain_printer(
    session: Session,
    printer: Printer,
    transport: Transport,
    *,
    now: Callable[[], datetime] = utcnow,
    limit: int = 500,
) -> DrainResult:
    """Send the printer's due jobs in order until one must wait; commits after each job."""
    if printer.agent_id is not None:
        raise ValueError(f"{printer.name} is printed by its agent, not by the server")
    printer_id = printer.id  # read once: each commit below expires the row
    printed = failed = 0
    for _ in range(limit):
        job = _next_job(session, printer_id)
        if job is None:
            return DrainResult(printed, 0, failed, None)  # nothing queued or in flight
        if job.state == JobState.SENDING or job.next_attempt_at > now():
            break  # an earlier job is in flight or waiting: keep the order
        withheld = withheld_reason(session, job)
        if withheld is not None:  # queued after its consignment was voided
            withhold(job, withheld)
            session.commit()
            failed += 1
            continue
        job_id, payload = job.id, job.payload  # read before the claim's commit expires them
        if not _claim(session, job_id, now()):
            break  # another worker took it
        outcome = _send(session, job, job_id, payload, transport, now())
        if outcome == JobState.DONE:
            printed += 1
        elif outcome == JobState.FAILED:
            failed += 1
        else:
            break
    waiting = (
        session.scalar(
            select(func.count())
            .select_from(PrintJob)
            .where(PrintJob.printer_id == printer_id, PrintJob.state == JobState.QUEUED)
        )
        or 0
    )
    head = _next_job(session, printer_id)
    retry_in = None
    if head is not None and head.state == JobState.QUEUED:
        retry_in = max(0.0, (head.next_attempt_at - now()).total_seconds())
    return DrainResult(printed, waiting, failed, retry_in)


def send_in_turn(
    session: Session,
    printer_id: int,
    jobs: Sequence[PrintJob],
    transport: Transport,
    *,
    now: Callable[[], datetime] = utcnow,
) -> DrainResult | None:
    """Send ``jobs``, just queued on the printer by the caller's committed transaction, as
    a pass over the printer would, in fewer statements; None when the first of them is not
    next in line (an earlier job waits or is in flight): drain the printer instead.

    Each claim is the queue's conditional UPDATE with the pass's "is an earlier job
    waiting?" read folded in, committed before the bytes leave, as in ``drain_printer``.
    The jobs are the request's own and their consignment was booked with them, so none
    can be withheld for a void (a void since then failed them, and their claim fails).
    A job that must wait or failed ends the pass, reported as waiting.
    """
    printed = failed = 0
    for job in sorted(jobs, key=lambda each: each.id):
        job_id, payload = job.id, job.payload
        taken = now()
        if not _claim_in_turn(session, job, printer_id, taken):
            if printed or failed:
                return DrainResult(printed, 1, failed, None)  # the rest: the queue's pass
            return None
        outcome = _send(session, job, job_id, payload, transport, now(), keep=True)
        if outcome == JobState.DONE:
            printed += 1
        elif outcome == JobState.FAILED:
            failed += 1
        else:
            return DrainResult(printed, 1, failed, None)
    return DrainResult(printed, 0, failed, None)


_EARLIER = aliased(PrintJob)
# Built once: the statement's construction cost more than its run, every Enter.
_CLAIM_IN_TURN = (
    update(PrintJob)
    .where(
        PrintJob.id == bindparam("claim_job"),
        PrintJob.state == JobState.QUEUED,
        PrintJob.next_attempt_at <= bindparam("claim_at"),
        ~exists().where(
            _EARLIER.printer_id == bindparam("claim_printer"),
            _EARLIER.state.in_((JobState.QUEUED, JobState.SENDING)),
            _EARLIER.id < bindparam("claim_job"),
        ),
    )
    .values(
        state=JobState.SENDING,
        next_attempt_at=bindparam("claim_at"),
        attempts=PrintJob.attempts + 1,
    )
    .execution_options(synchronize_session=False)
)


def _claim_in_turn(session: Session, job: PrintJob, printer_id: int, now: datetime) -> bool:
    """queued → sending when no earlier job of the printer is queued or sending, in one
    UPDATE; committed (keeping the rows loaded) before the bytes leave."""
    claimed = session.execute(
        _CLAIM_IN_TURN, {"claim_job": job.id, "claim_printer": printer_id, "claim_at": now}
    ).rowcount  # type: ignore[attr-defined]
    if claimed:  # what the UPDATE wrote, as if loaded: nothing to read back or flush
        set_committed_value(job, "state", JobState.SENDING)
        set_committed_value(job, "next_attempt_at", now)
        set_committed_value(job, "attempts", job.attempts + 1)
    _commit_keeping(session)
    return bool(claimed)


def _commit_keeping(session: Session) -> None:
    """Commit without expiring what the session holds (the pass goes on with those rows)."""
    whole = session() if isinstance(session, scoped_session) else session
    expiring = whole.expire_on_commit
    whole.expire_on_commit = False
    try:
        session.commit()
    finally:
        whole.expire_on_commit = expiring


def _next_job(session: Session, printer_id: int) -> PrintJob | None:
    return session.scalar(
        select(PrintJob)
        .where(
            PrintJob.printer_id == printer_id,
            PrintJob.state.in_((JobState.QUEUED, JobState.SENDING)),
        )
        .order_by(PrintJob.id)
        .limit(1)
    )


def _claim(session: Session, job_id: int, now: datetime) -> bool:
    """queued → sending, committed before the bytes leave; False if someone else claimed it."""
    return bool(claim(session, PrintJob, [job_id], now=now))


def _send(
    session: Session,
    job: PrintJob,
    job_id: int,
    payload: bytes,
    transport: Transport,
    now: datetime,
    *,
    keep: bool = False,
) -> JobState:
    """Send one claimed job. ``keep``: the caller's own jobs (``send_in_turn``) stay loaded
    as committed, so the bench shows their outcome without reading them back."""
    try:
        transport.send(payload)
    except PrinterError as exc:
        return _after_failure(session, job, exc, now)
    succeed(job, now=now)
    if keep:
        _commit_keeping(session)
    else:
        session.commit()
    log.info("print job %s done", job_id)
    return JobState.DONE


def requeue_later(job: PrintJob, reason: str, now: datetime) -> None:
    """Put back a job none of which reached the printer, due again after backoff."""
    delay = retry_later(job, reason, now=now, policy=POLICY) or timedelta(0)  # no limit: never None
    job.last_error = f"{reason} (retrying in {delay.total_seconds():.0f} s)"


def _after_failure(session: Session, job: PrintJob, exc: PrinterError, now: datetime) -> JobState:
    nothing_sent = isinstance(exc, PrinterOffline) and not exc.partial
    if exc.retryable and (nothing_sent or not isinstance(exc, PrinterOffline)):
        requeue_later(job, str(exc), now)
        log.warning("print job %s waits: %s", job.id, exc)
    else:
        suffix = (
            " Some of it may have printed; reprint if needed."
            if isinstance(exc, PrinterOffline)
            else ""
        )
        fail(job, f"{exc}{suffix}")
        log.warning("print job %s failed: %s", job.id, exc)
    session.commit()
    return job.state
