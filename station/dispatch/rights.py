"""Who may void or reprint a consignment: the one rule the bench and the list both ask.

Managers and admins may void or reprint any consignment (the void itself may still be
refused: already voided, on a manifest). A packer may do so only while the consignment
is still open at their bench, which is what the bench shows after Enter until the
packer moves on:

- they booked it (``created_by``), not another packer, a bulk run or a job;
- it is the last consignment they booked: once they ship the next order, the earlier one
  has left their bench;
- it was booked no more than ``UNDO_WINDOW`` ago, the time an untouched order stays held
  at a bench, so yesterday's label is a manager's to undo.

So a packer can undo their own last label right away, but not someone else's, nor one
they have moved on from, nor yesterday's. The print queue's reprint of a label job asks
the same rule of the job's consignment.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.dispatch.holds import HOLD_FOR
from station.errors import StationError
from station.models import Consignment, ConsignmentState, PrintJob, Role, User
from station.printing.queue import ReprintRefused
from station.printing.withheld import void_note

UNDO_WINDOW = HOLD_FOR


class NotYours(StationError):
    """A packer asked to change a consignment that is not open at their bench (answer 403)."""


def check_may_change(
    session: Session, consignment: Consignment, user: User, *, doing: str, now: datetime
) -> None:
    """Raise ``NotYours`` unless ``user`` may ``doing`` (void, reprint) ``consignment`` now."""
    if user.role.allows(Role.MANAGER):
        return
    why = _not_open_at_bench(session, consignment, user, now=now)
    if why is not None:
        raise NotYours(f"You cannot {doing} {consignment.reference}: {why}; ask a manager.")


def check_may_reprint_job(session: Session, job: PrintJob, user: User, *, now: datetime) -> None:
    """The rule above for a job that prints (again) a consignment's label; other jobs pass.

    Raises ``NotYours``, or ``ReprintRefused`` once the consignment is no longer booked
    (a voided consignment's label must not come out of the printer again).
    """
    consignment = session.get(Consignment, job.consignment_id) if job.consignment_id else None
    if consignment is None:
        return
    check_may_change(session, consignment, user, doing="reprint", now=now)
    if consignment.state == ConsignmentState.VOIDED:
        raise ReprintRefused(void_note(session, consignment))
    if consignment.state != ConsignmentState.CREATED:
        raise ReprintRefused(
            f"Consignment {consignment.reference} is {consignment.state.value}: "
            "only booked labels print."
        )


def _not_open_at_bench(
    session: Session, consignment: Consignment, user: User, *, now: datetime
) -> str | None:
    if consignment.created_by_id != user.id:
        by = consignment.created_by
        return f"{by.username} booked it, not you" if by else "it was not booked at a bench"
    booked = consignment.booked_at or consignment.created_at
    minutes = int(UNDO_WINDOW.total_seconds() // 60)
    if now - booked > UNDO_WINDOW:
        return f"it was booked more than {minutes} minutes ago"
    later = session.scalar(
        select(Consignment.reference)
        .where(Consignment.created_by_id == user.id, Consignment.id > consignment.id)
        .order_by(Consignment.id.desc())
        .limit(1)
    )
    if later is not None:
        return f"you have booked {later} since"
    return None
