"""Reprinting a consignment's labels (bench or list), as the one rule of who may allows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from station import audit
from station.dispatch.rights import check_may_change
from station.models import Consignment, Printer, PrintJob, User
from station.shipping.labels import reprint_labels


def reprint_as(
    session: Session,
    consignment: Consignment,
    user: User,
    *,
    printer: Printer | None,
    now: datetime,
) -> list[PrintJob]:
    """``user`` prints ``consignment``'s labels again; audited, commits.

    ``printer``: where to print them; None prints each on the printer it went to.

    Raises ``NotYours`` (see ``station.dispatch.rights``) or ``ReprintRefused`` (voided,
    booked on the carrier's portal, first labels not printed yet).
    """
    check_may_change(session, consignment, user, doing="reprint", now=now)
    queued = reprint_labels(session, consignment, printer=printer)
    audit.record(
        session,
        user,
        "consignment.reprinted",
        target=consignment,
        detail={
            "printer": ", ".join(sorted({job.printer.name for job in queued})),
            "labels": len(queued),
        },
        at=now,
    )
    session.commit()
    return queued
