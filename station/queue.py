"""One durable retry queue: rows written before sending, claimed, sent, retried, recovered.

The outbox (Cin7 write-backs), rule webhooks and the print queue all keep their work in
rows of a :class:`QueueRow` table and move them the same way. Each keeps only how it
sends and its :class:`RetryPolicy`. The protocol:

1. A row is written *due* (``pending``; ``queued`` for print jobs) with the time it may
   first go in ``next_attempt_at``, in the transaction that decided it is owed.
2. A worker claims the due rows it will send with one conditional UPDATE (due →
   ``sending`` where still due), so two workers never both take one; the claim
   stamps ``next_attempt_at`` with the time it was taken and **counts the attempt**, and
   is committed before anything is sent.
3. After sending, the worker writes one outcome: :func:`succeed` (``done``);
   :func:`retry_later` (due again after the policy's backoff, doubling from ``first`` up
   to ``maximum``; ``failed`` once the attempts reach ``max_attempts``; a failure that
   says nothing about the row, such as a rate limit, gives back the attempt its claim
   counted); or :func:`fail` (``failed`` at once: no retry can succeed).
4. :func:`recover` finds rows whose claim has gone unrenewed for the policy's lease (the
   stamp in ``next_attempt_at`` is older than ``lease``): their worker died mid-send.
   They go back to due at once, with a note saying they were cut off. Whether the cut-off
   attempt counts is the queue's choice: rule webhooks count it, so a row that kills its
   worker every time ends failed, and one cut off on its last attempt is **marked
   failed**; the outbox gives it back (``refund_cut_off``): a crash is not the
   write-back's failure, so killing workers neither fails one nor stretches its backoff,
   and an uncertain one is checked in Cin7 before it goes again. A queue whose sends
   cannot be repeated safely (a raw printer gives no receipt) fails every cut-off row
   instead (``resend_cut_off=False``). The rows are locked in id order first (PostgreSQL), as
   a pass renewing its claims locks them, so the two never deadlock.
5. A person may put a failed row back with :func:`retry_failed`: due now, its attempts
   starting over. Only a failed row is put back (a second click changes nothing).

``failed`` rows wait for a person; ``done`` rows are never sent again.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import ColumnElement, Text, false, select, true, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from station.backoff import backoff_delay
from station.db import utcnow

log = logging.getLogger(__name__)

ERROR_LENGTH = 1000  # characters of an error kept on the row


@dataclass(frozen=True, slots=True)
class QueueStates:
    """The members of a table's state enum that play each part of the protocol."""

    due: enum.Enum
    sending: enum.Enum
    done: enum.Enum
    failed: enum.Enum


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How a queue retries: how often, how long it waits, when a send counts as dead.

    ``max_attempts`` None retries for as long as each failure says a retry is safe.
    ``lease``: how long a claim may go unrenewed before its worker counts as dead.
    ``resend_cut_off``: whether a send cut off by a dead worker may go out again.
    ``refund_cut_off``: whether that cut-off attempt is given back (a crash is not the
    row's failure); otherwise it counts, so a row that kills its worker every time ends
    failed instead of coming back forever.
    """

    max_attempts: int | None
    first: float
    maximum: float
    lease: timedelta
    resend_cut_off: bool = True
    refund_cut_off: bool = False

    def delay(self, attempts: int) -> timedelta:
        """The wait before the next attempt, after ``attempts`` attempts."""
        return backoff_delay(attempts, first=self.first, maximum=self.maximum)

    def spent(self, attempts: int) -> bool:
        """Whether ``attempts`` attempts are all this policy allows."""
        return self.max_attempts is not None and attempts >= self.max_attempts


class QueueRow:
    """The columns every queue table shares; the table declares ``state`` with its own enum
    and names its members in ``queue_states``."""

    queue_states: ClassVar[QueueStates]
    if TYPE_CHECKING:  # declared by each table
        id: Mapped[int]
        state: Mapped[Any]

    attempts: Mapped[int] = mapped_column(default=0)  # counted when claimed (protocol step 2)
    # When the row is due; while ``sending``, when its claim was taken or last renewed.
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None]


def claim(
    session: Session, model: type[QueueRow], ids: Iterable[int], *, now: datetime
) -> list[int]:
    """Take the rows ``ids`` still due for this worker (step 2); the ids taken, in the order
    given. Commits.

    One UPDATE takes them all. On PostgreSQL it locks them in id order first, as renewing
    and recovering do, so claims of the same rows by two passes never deadlock.
    """
    wanted = list(ids)
    taken: set[int] = set()
    if wanted:
        states = model.queue_states
        due = (
            select(model.id)
            .where(model.id.in_(wanted), model.state == states.due)
            .order_by(model.id)
            .with_for_update()
        )
        taken = set(
            session.scalars(
                update(model)
                .where(model.id.in_(due.scalar_subquery()))
                .values(state=states.sending, next_attempt_at=now, attempts=model.attempts + 1)
                .returning(model.id)
                .execution_options(synchronize_session=False)
            )
        )
    session.commit()
    return [row_id for row_id in wanted if row_id in taken]


def succeed(row: QueueRow, *, now: datetime) -> None:
    """The send worked: ``done`` (does not commit)."""
    row.state, row.done_at, row.last_error = row.queue_states.done, now, None


def fail(row: QueueRow, error: str) -> None:
    """No retry can succeed: ``failed`` at once, waiting for a person (does not commit)."""
    row.state, row.last_error = row.queue_states.failed, error[:ERROR_LENGTH]


def retry_later(
    row: QueueRow, error: str, *, now: datetime, policy: RetryPolicy, spent: bool = True
) -> timedelta | None:
    """Due again after the policy's backoff, or ``failed`` once its attempts are used up.

    ``spent`` False gives back the attempt the claim counted (a rate limit or an outage:
    the row itself was not tried). Returns the wait, or None when the row failed.
    Does not commit.
    """
    if not spent:
        row.attempts = max(0, row.attempts - 1)
    row.last_error = error[:ERROR_LENGTH]
    if policy.spent(row.attempts):
        row.state = row.queue_states.failed
        return None
    delay = policy.delay(row.attempts)
    row.state, row.next_attempt_at = row.queue_states.due, now + delay
    return delay


def recover(
    session: Session,
    model: type[QueueRow],
    *,
    now: datetime,
    policy: RetryPolicy,
    note: str,
    where: Iterable[ColumnElement[bool]] = (),
    values: Mapping[str, Any] | None = None,
) -> tuple[int, int]:
    """Rows cut off mid-send (step 4): back to due, or failed; (resent, failed). Commits.

    ``note`` goes in ``last_error``; ``where`` narrows the rows looked at; ``values`` are
    also written on the rows sent again (the outbox marks them uncertain).
    """
    states = model.queue_states
    lapsed = (
        model.state == states.sending,
        model.next_attempt_at < now - policy.lease,
        *where,
    )
    session.execute(select(model.id).where(*lapsed).order_by(model.id).with_for_update()).all()
    if not policy.resend_cut_off:
        last_attempt: ColumnElement[bool] = true()
    elif policy.max_attempts is None or policy.refund_cut_off:
        last_attempt = false()
    else:
        last_attempt = model.attempts >= policy.max_attempts
    failed = session.execute(
        update(model)
        .where(*lapsed, last_attempt)
        .values(state=states.failed, last_error=note)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    refund = {"attempts": model.attempts - 1} if policy.refund_cut_off else {}
    resent = session.execute(
        update(model)
        .where(*lapsed)
        .values(state=states.due, last_error=note, **refund, **(values or {}))
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    session.commit()
    if resent or failed:
        log.warning(
            "%s: of the rows cut off mid-send, %d go again and %d failed",
            model.__name__,
            resent,
            failed,
        )
    return resent or 0, failed or 0


def retry_failed(session: Session, row: QueueRow, *, now: datetime) -> bool:
    """A person puts a failed row back (step 5): due now, attempts starting over.

    Returns whether it was put back; a row not failed is left as it is.
    """
    if row.state != row.queue_states.failed:
        return False
    row.state, row.attempts, row.next_attempt_at = row.queue_states.due, 0, now
    session.flush()
    return True
