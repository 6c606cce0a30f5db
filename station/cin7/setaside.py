"""Orders the sync cannot store are set aside with the reason, and the sync goes on.

One order Station's tables cannot hold (a text longer than its column, a value the
database refuses) must not stop every sync. So a page's orders are written in one
SAVEPOINT; when the database refuses it, they are written again one by one, each in its
own, and each one refused is set aside: a :class:`SetAsideOrder` row with the reason,
listed under Needs attention and counted on the run. The run's cursor moves past it.

A set-aside order is not read from Cin7 again on every sync (that would cost a call a
minute for an order that fails the same way): it is read again when it changes in Cin7
(its ``modifiedDate`` moves past the cursor, so the next incremental sync sees it), or
when someone presses Retry after a fix on Station's side. Once stored, by either way,
it leaves the list.

Only a refusal of the row (``DataError``, ``IntegrityError``) sets an order aside; a
lost connection or a locked database fails the run as before, to be retried whole.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, delete, func, select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from station.cin7 import upsert
from station.cin7.types import SalesOrder as Cin7Order
from station.models import SalesOrder, SetAsideOrder
from station.text import clean_line

log = logging.getLogger(__name__)

REFUSALS = (DataError, IntegrityError)


@dataclass(frozen=True, slots=True)
class Stored:
    """What became of the orders given to :func:`store_orders`."""

    created: int
    updated: int
    set_aside: tuple[tuple[Cin7Order, str], ...]  # each order with its reason


def store_orders(
    session: Session,
    orders: Sequence[tuple[Cin7Order, SalesOrder | None]],
    *,
    run_id: int | None,
    now: datetime,
) -> Stored:
    """Write each order over its local copy (or None), setting aside those not storable.

    The caller commits: stored orders and set-aside rows are one transaction with it.
    """
    ready: list[tuple[Cin7Order, SalesOrder | None]] = []
    refused: list[tuple[Cin7Order, str]] = []
    for order, local in orders:
        reason = upsert.unstorable(order)
        if reason is None:
            ready.append((order, local))
        else:
            refused.append((order, reason))
    if ready:
        _hold_transaction_open(session)
        try:
            with session.begin_nested():
                for order, local in ready:
                    upsert.write_order(session, order, local)
        except REFUSALS:
            # Rolled back to the savepoint: copies read before it are as they were.
            ready, more = _one_by_one(session, ready)
            refused += more
    _forget(session, [order.id for order, _ in ready])
    for order, reason in refused:
        _set_aside(session, order, reason, run_id=run_id, now=now)
    return Stored(
        created=sum(1 for _, local in ready if local is None),
        updated=sum(1 for _, local in ready if local is not None),
        set_aside=tuple(refused),
    )


def _hold_transaction_open(session: Session) -> None:
    """Make sure a SAVEPOINT is nested in a transaction, so its RELEASE cannot commit.

    Python's sqlite3 begins a transaction only before the first write; a SAVEPOINT issued
    before that begins one itself, and releasing it would commit, ahead of the caller.
    """
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:  # type: ignore[attr-defined]
        connection.exec_driver_sql("BEGIN")


def _one_by_one(
    session: Session, orders: list[tuple[Cin7Order, SalesOrder | None]]
) -> tuple[list[tuple[Cin7Order, SalesOrder | None]], list[tuple[Cin7Order, str]]]:
    """Write each order in its own savepoint: those stored, and those refused with why."""
    stored, refused = [], []
    for order, local in orders:
        try:
            with session.begin_nested():
                upsert.write_order(session, order, local)
        except REFUSALS as exc:
            refused.append((order, _refusal(exc)))
        else:
            stored.append((order, local))
    return stored, refused


def _refusal(exc: DataError | IntegrityError) -> str:
    """The database's own words, first line only: they name the constraint or the type."""
    words = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else type(exc).__name__
    return f"The database refused it: {clean_line(words)[:300]}"


def _set_aside(
    session: Session, order: Cin7Order, reason: str, *, run_id: int | None, now: datetime
) -> None:
    reference = clean_line(order.reference or str(order.id))[:64]
    log.warning("order sync set aside Cin7 order %s (%s): %s", order.id, reference, reason)
    row = session.scalar(select(SetAsideOrder).where(SetAsideOrder.cin7_id == order.id))
    if row is None:
        row = SetAsideOrder(cin7_id=order.id, first_set_aside_at=now, attempts=0)
        session.add(row)
    row.reference, row.reason, row.cin7_modified = reference, reason, order.modified_date
    row.run_id, row.last_tried_at, row.attempts = run_id, now, row.attempts + 1


def _forget(session: Session, cin7_ids: list[int]) -> None:
    """Stored at last: these orders no longer need anyone's attention."""
    if cin7_ids:
        session.execute(delete(SetAsideOrder).where(SetAsideOrder.cin7_id.in_(cin7_ids)))


def set_aside_orders(session: Session) -> list[SetAsideOrder]:
    """Every order set aside, oldest first (for Needs attention)."""
    return list(session.scalars(select(SetAsideOrder).order_by(SetAsideOrder.id)))


def set_aside_query() -> Select[tuple[int]]:
    """The count of orders set aside (part of every manager's Needs attention), as a statement
    a page header folds in."""
    return select(func.count()).select_from(SetAsideOrder)
