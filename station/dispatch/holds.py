"""Bench holds: an order open at one bench is held for its packer until shipped or released.

The other benches see who holds it and cannot ship it. A hold lapses after
``HOLD_FOR`` without activity (a packer who walked away does not block the order all
day), and opening another order releases the packer's earlier hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from station.models import OrderHold, SalesOrder, User
from station.sitetime import said
from station.uow import UnitOfWork

HOLD_FOR = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class HeldElsewhere:
    """The order is open at another bench."""

    username: str
    bench: str
    since: datetime

    def describe(self) -> str:
        """A sentence for the packer who scanned it second."""
        where = f" at {self.bench}" if self.bench else ""
        return f"it is open{where} by {self.username} since {said(self.since)}"


def take_hold(
    session: Session,
    order: SalesOrder,
    user: User,
    *,
    bench: str,
    now: datetime,
    counting_items: bool = False,
) -> HeldElsewhere | None:
    """Hold ``order`` for ``user`` (releasing their other holds); None when it is theirs.

    ``counting_items``: the bench checks the order's items, so their count starts from
    nothing; otherwise nothing is counted.
    """
    # The order's hold and this person's others, in one read: most scans find no other.
    holds = session.scalars(
        select(OrderHold)
        .where(or_(OrderHold.order_id == order.id, OrderHold.user_id == user.id))
        .with_for_update()
    ).all()
    hold = next((each for each in holds if each.order_id == order.id), None)
    if hold is not None and hold.user_id != user.id and hold.expires_at > now:
        return HeldElsewhere(hold.user.username, hold.bench, hold.held_at)
    for other in holds:
        if other.order_id != order.id:
            session.delete(other)
    if hold is None:
        hold = OrderHold(order_id=order.id, user_id=user.id, held_at=now)
        session.add(hold)
    elif hold.user_id != user.id:  # lapsed: take it over
        hold.user_id, hold.held_at = user.id, now
    hold.bench, hold.expires_at = bench[:64], now + HOLD_FOR
    hold.item_counts = {} if counting_items else None
    try:
        session.flush()
    except IntegrityError:  # another bench took it at this very moment
        session.rollback()
        return held_elsewhere(session, order.id, user, now=now)
    return None


def held_elsewhere(
    session: Session, order_id: int, user: User | None, *, now: datetime
) -> HeldElsewhere | None:
    """Who else holds the order now, if anyone."""
    hold = session.scalar(select(OrderHold).where(OrderHold.order_id == order_id))
    if hold is None or hold.expires_at <= now or (user is not None and hold.user_id == user.id):
        return None
    return HeldElsewhere(hold.user.username, hold.bench, hold.held_at)


def release_hold(session: Session, order_id: int) -> None:
    """The order is shipped (or put down): nobody holds it any more."""
    session.execute(delete(OrderHold).where(OrderHold.order_id == order_id))


def put_down(actor: User | None, order_id: int) -> None:
    """``actor`` puts the order down at the bench, so another bench can ship it."""
    with UnitOfWork(actor) as uow:
        release_hold(uow.session, order_id)
        uow.commit()


def item_counts(session: Session, order_id: int, user: User) -> dict[int, int] | None:
    """Items scanned so far by line id, or None when ``user`` is not checking the order's items."""
    hold = _own_hold(session, order_id, user)
    if hold is None or hold.item_counts is None:
        return None
    return {int(line_id): int(count) for line_id, count in hold.item_counts.items()}


def save_item_counts(
    session: Session, order_id: int, user: User, counts: Mapping[int, int]
) -> None:
    """Keep the counts after a scan that counted (the caller commits)."""
    hold = _own_hold(session, order_id, user)
    if hold is not None:
        hold.item_counts = {str(line_id): count for line_id, count in counts.items()}


def _own_hold(session: Session, order_id: int, user: User) -> OrderHold | None:
    hold = session.get(OrderHold, order_id)
    return hold if hold is not None and hold.user_id == user.id else None
