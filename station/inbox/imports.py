"""CSV imports run as jobs: the upload is kept, stored in batches, and its progress shown.

1. The manager's upload is checked (size, text, header) and kept with its count of
   orders, and its job queued after the commit (``start_import``); the request answers
   at once with a progress page.
2. A job stores the orders in short transactions (``csv_import.Batching``), writing how
   far it got in each, so the page can show it and a packer never waits on the file.
3. At the end the report (orders made, already there, every row problem) is kept and the
   file dropped.

Interrupted (a restart, a crash): the batches committed stay, each order whole with its
event, and the import shows where it stopped. Importing the same file again stores the
rest; orders already kept are reported as already in the inbox, never made twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from station import audit
from station.inbox.bus import Settled
from station.inbox.checkout import BranchLookup
from station.inbox.csv_import import Batching, CsvReport, RowProblem, count_orders, import_csv
from station.inbox.errors import CsvRejected
from station.inbox.followups import InboxJobs
from station.models import InboxImport, User
from station.uow import UnitOfWork

log = logging.getLogger(__name__)

INTERRUPTED = "The import stopped before the end"
# A running import commits every fraction of a second; this long without progress means
# it waits behind other jobs, or the process running it has gone.
STALLED_AFTER = timedelta(minutes=2)


def queue_import(
    session: Session, data: bytes, *, shop: str, filename: str, actor: User | None, now: datetime
) -> InboxImport:
    """Keep an upload to be imported by a job; raises CsvRejected for a file it cannot read."""
    orders = count_orders(data)
    queued = InboxImport(
        shop=shop,
        filename=filename[:255],
        actor_id=actor.id if actor is not None else None,
        data=data,
        orders_total=orders,
        orders_done=0,
        created_at=now,
        updated_at=now,
    )
    session.add(queued)
    session.flush()
    return queued


def start_import(
    actor: User | None,
    data: bytes,
    *,
    shop: str,
    filename: str,
    now: datetime,
    jobs: InboxJobs,
) -> InboxImport:
    """Keep ``actor``'s upload (committed) and queue its job; CsvRejected keeps nothing."""
    with UnitOfWork(actor) as uow:
        queued = queue_import(uow.session, data, shop=shop, filename=filename, actor=actor, now=now)
        import_id = queued.id
        uow.after_commit(lambda: jobs.import_csv(import_id))
        uow.commit()
    return queued


def run_import(
    session: Session,
    import_id: int,
    *,
    branch_known: BranchLookup | None,
    batching: Batching,
    now: Callable[[], datetime],
) -> Settled:
    """Store a queued import's orders in batches, then keep its report; a finished one is left.

    Answers what the orders' rules left for jobs (nothing when the import stopped early).
    """
    queued = session.get(InboxImport, import_id)
    if queued is None or queued.finished_at is not None or queued.data is None:
        return Settled()
    data = queued.data
    actor = session.get(User, queued.actor_id) if queued.actor_id else None

    def progress(done: int) -> None:
        queued.orders_done = done
        queued.updated_at = now()

    try:
        report = import_csv(
            session,
            data,
            shop=queued.shop,
            filename=queued.filename,
            now=now(),
            actor=actor,
            branch_known=branch_known,
            batching=batching,
            progress=progress,
        )
    except CsvRejected as exc:
        _finish(session, queued, now(), error=str(exc))
        return Settled()
    except BaseException as exc:  # recorded, then re-raised: a bug, a lost database, Ctrl-C
        session.rollback()
        _finish(session, queued, now(), error=f"{INTERRUPTED}: {type(exc).__name__}: {exc}")
        raise
    queued.report = _stored(report)
    audit.record(
        session,
        actor,
        "inbox.csv_imported",
        target=audit.Target("inbox", None, queued.filename or "CSV"),
        detail={
            "shop": queued.shop,
            "imported": len(report.imported),
            "already_there": len(report.already_there),
            "left_out": report.left_out,
        },
    )
    _finish(session, queued, now(), error=None)
    log.info(
        "CSV import %s (%s): %d imported, %d already there, %d left out",
        queued.id,
        queued.filename,
        len(report.imported),
        len(report.already_there),
        report.left_out,
    )
    return report.rules


def import_stalled(queued: InboxImport, *, now: datetime) -> bool:
    """Whether an unfinished import has made no progress for a while (say so on its page)."""
    return queued.finished_at is None and now - queued.updated_at > STALLED_AFTER


def import_report(queued: InboxImport) -> CsvReport | None:
    """What a finished import did (None while it runs or when it stopped early)."""
    if queued.report is None:
        return None
    kept = queued.report
    return CsvReport(
        imported=tuple(kept["imported"]),
        already_there=tuple(kept["already_there"]),
        left_out=kept["left_out"],
        problems=tuple(RowProblem(row, message) for row, message in kept["problems"]),
        ignored_columns=tuple(kept["ignored_columns"]),
    )


def _stored(report: CsvReport) -> dict[str, Any]:
    return {
        "imported": list(report.imported),
        "already_there": list(report.already_there),
        "left_out": report.left_out,
        "problems": [[p.row, p.message] for p in report.problems],
        "ignored_columns": list(report.ignored_columns),
    }


def _finish(session: Session, queued: InboxImport, at: datetime, *, error: str | None) -> None:
    queued.error = error
    queued.finished_at = at
    queued.updated_at = at
    queued.data = None  # the orders keep their own rows; the file is not needed again
    session.commit()
