"""Claims on inbox orders while one run submits them: taken, renewed, given back.

A run claims an order (``submitting_since``) and gives it a submission key, committed
before anything is sent, so another run (a double click, the resubmission sweep) keeps
off. The run renews all its open claims at once after each call to Cin7, and gives each
one back with the order's outcome. A claim not renewed for a lease was left by a worker
that died, and another run may take it over; the first run, if it was only slow, finds
those claims gone when it renews and leaves the orders to the run that has them: it
writes an outcome only for an order a renewal just kept, and gives back only claims no
other run took. A claim taken over is later than any time the first run claimed or
renewed at, which is how a renewal (and the giving back) tells them apart.

What a run may claim depends on what started it (:class:`Trigger`): a person's *Submit
now* takes any order not in Cin7, while a run a sweep queued takes only orders still
due for that sweep when it starts, so a run left over in the queue never sends an order
an earlier run already made, refused or put off.
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select, true, update
from sqlalchemy.orm import Session

from station.models import InboxOrder


class Trigger(enum.StrEnum):
    """What started a run, which decides the orders it may claim."""

    MANUAL = "manual"  # a person pressed Submit now: any order not in Cin7
    SCHEDULED = "scheduled"  # the scheduled sweep: orders still scheduled, not waiting to retry
    RESUBMISSION = "resubmission"  # the resubmission sweep: retry time come, or a claim lapsed


@dataclass
class Claims:
    """The orders one run holds, and when it last claimed or renewed them."""

    stamp: datetime
    held: list[int] = field(default_factory=list)
    retried: set[int] = field(default_factory=set)  # tried before: look them up in Cin7 first
    skipped: list[int] = field(default_factory=list)  # in Cin7, or held by another run
    lost: set[int] = field(default_factory=set)  # taken over by another run meanwhile
    finished: set[int] = field(default_factory=set)  # given back with their outcome

    def open(self) -> list[int]:
        """The orders the run holds and has not finished, in id order."""
        return sorted(set(self.held) - self.lost - self.finished)


def claim(
    session: Session,
    order_ids: Iterable[int],
    *,
    now: datetime,
    lease: timedelta,
    trigger: Trigger = Trigger.MANUAL,
) -> Claims:
    """Claim each order not in Cin7, not held by a live run and due for ``trigger``; commits.

    Commits before anything is sent.
    """
    claims = Claims(stamp=now)
    due = _due(trigger, now=now, lease=lease)
    for order_id in sorted(set(order_ids)):
        key = session.scalar(select(InboxOrder.submission_key).where(InboxOrder.id == order_id))
        same_key = InboxOrder.submission_key == key if key else InboxOrder.submission_key.is_(None)
        taken = session.execute(
            update(InboxOrder)
            .where(
                InboxOrder.id == order_id,
                InboxOrder.cin7_id.is_(None),
                same_key,
                due,
                or_(
                    InboxOrder.submitting_since.is_(None), InboxOrder.submitting_since < now - lease
                ),
            )
            .values(submitting_since=now, submission_key=key or _new_key(order_id))
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount:  # type: ignore[attr-defined]
            claims.held.append(order_id)
            if key:
                claims.retried.add(order_id)
        else:
            claims.skipped.append(order_id)
    session.commit()
    return claims


def renew(session: Session, claims: Claims, *, now: datetime) -> set[int]:
    """Renew every open claim the run still holds; those ids (the rest are ``lost``). Commits.

    All of them at once, so ``claims.stamp`` stays the time of every claim the run holds.
    """
    ids = claims.open()
    if not ids:
        return set()
    _lock_in_id_order(session, claims, ids)
    kept = set(
        session.scalars(
            update(InboxOrder)
            .where(InboxOrder.id.in_(ids), InboxOrder.submitting_since <= claims.stamp)
            .values(submitting_since=now)
            .returning(InboxOrder.id)
            .execution_options(synchronize_session=False)
        )
    )
    claims.lost |= set(ids) - kept
    claims.stamp = now
    session.commit()
    return kept


def release(session: Session, claims: Claims) -> None:
    """Give back the claims on orders the run did not finish, unless another run took them."""
    ids = claims.open()
    if ids:
        _lock_in_id_order(session, claims, ids)
        session.execute(
            update(InboxOrder)
            .where(InboxOrder.id.in_(ids), InboxOrder.submitting_since <= claims.stamp)
            .values(submitting_since=None)
            .execution_options(synchronize_session=False)
        )
    session.commit()


def _lock_in_id_order(session: Session, claims: Claims, ids: list[int]) -> None:
    """Lock the rows of the run's claims in id order before updating them (PostgreSQL).

    ``claim`` takes its rows one by one in id order; an UPDATE of many rows locks them in
    whatever order the plan reads them, so a run renewing while another takes its lapsed
    claims over could each wait for a row the other holds. Locking in one order first
    makes the later one wait for the first row instead. SQLite locks the whole database.
    """
    session.execute(
        select(InboxOrder.id)
        .where(InboxOrder.id.in_(ids), InboxOrder.submitting_since <= claims.stamp)
        .order_by(InboxOrder.id)
        .with_for_update(key_share=True)  # FOR NO KEY UPDATE: the lock an UPDATE takes
    ).all()


def _due(trigger: Trigger, *, now: datetime, lease: timedelta) -> ColumnElement[bool]:
    """The orders a run started by ``trigger`` may take (besides not being in Cin7 or held)."""
    if trigger is Trigger.SCHEDULED:
        return and_(
            InboxOrder.scheduled_at.is_not(None),
            or_(InboxOrder.resubmit_at.is_(None), InboxOrder.resubmit_at <= now),
        )
    if trigger is Trigger.RESUBMISSION:
        return or_(InboxOrder.resubmit_at <= now, InboxOrder.submitting_since < now - lease)
    return true()


def _new_key(order_id: int) -> str:
    """A reference Cin7 has never seen (30 characters at most, as Cin7 allows)."""
    return f"IN{order_id}-{secrets.token_hex(3).upper()}"
