"""Reprinting a consignment's labels (bench or list), as the one rule of who may allows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from station.dispatch.rights import check_may_change
from station.models import Consignment, Printer, PrintJob, User
from station.shipping.labels import reprint_labels
from station.uow import UnitOfWork


def reprint_as(
    session: Session,
    consignment: Consignment,
    user: User,
    *,
    printer: Printer | None,
    now: datetime,
    print_queue: Callable[[int], object] = lambda printer_id: None,
) -> list[PrintJob]:
    """``user`` prints ``consignment``'s labels again; audited, commits, then starts
    ``print_queue(printer_id)`` for each printer the labels go to.

    ``printer``: where to print them; None prints each on the printer it went to.

    Raises ``NotYours`` (see ``station.dispatch.rights``) or ``ReprintRefused`` (voided,
    booked on the carrier's portal, first labels not printed yet).
    """
    with UnitOfWork(user, session) as uow:
        check_may_change(session, consignment, user, doing="reprint", now=now)
        queued = reprint_labels(session, consignment, printer=printer)
        uow.record(
            "consignment.reprinted",
            target=consignment,
            detail={
                "printer": ", ".join(sorted({job.printer.name for job in queued})),
                "labels": len(queued),
            },
            at=now,
        )
        for printer_id in dict.fromkeys(job.printer_id for job in queued):
            uow.after_commit(lambda printer_id=printer_id: print_queue(printer_id))
        uow.commit()
    return queued
