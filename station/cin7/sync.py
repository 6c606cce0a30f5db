"""The order sync: bring Cin7 sales orders into Station, once and without losing any.

Write-backs still owed to an order the sync finds void in Cin7 are cancelled with a
note (``station.dispatch.void_orders``): Cin7 would refuse them.

Orders are read with a keyset cursor (see ``cursor``), and each page is committed with
the cursor, so an interrupted sync resumes where it stopped, with the filter it began
with. Only one sync runs at a time per database (``synclock``): a second one returns
:class:`SyncBusy` instead of starting. Whatever stops a run, it is recorded as finished
with the reason, never left "running"; a run left so by a process that died is closed
by the next sync to take the lock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from station.cin7 import setaside, upsert
from station.cin7.client import Cin7Client
from station.cin7.cursor import ORDER, advance, begin_run
from station.cin7.errors import Cin7Error
from station.cin7.selection import OrderSelection
from station.cin7.synclock import sync_lock
from station.cin7.types import SalesOrder as Cin7Order
from station.db import utcnow
from station.dispatch.void_orders import cancel_for_void_orders
from station.errors import StationError
from station.ids import parse_id
from station.models import SalesOrder, SetAsideOrder, SyncRun
from station.sitetime import SECONDS, said

log = logging.getLogger(__name__)

PAGE_ROWS = 250  # Cin7's largest page
MAX_PAGES = 2_000  # 500,000 orders: a bound, not an expectation
INTERRUPTED = (
    "The sync stopped before it finished (its process ended); "
    "the next sync carried on from its last page."
)


class SyncError(StationError):
    """The sync could not finish; the message says why, the run row keeps it."""


class OrderNotStorable(StationError):
    """One order read from Cin7 cannot be stored; it is set aside, the message says why."""


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """What one sync run did."""

    run_id: int
    kind: str
    calls: int
    orders_seen: int
    orders_created: int
    orders_updated: int
    orders_skipped: int
    seconds: float
    orders_set_aside: int = 0

    def describe(self) -> str:
        """One line for the console and the log."""
        set_aside = (
            f", {self.orders_set_aside} set aside (see Needs attention)"
            if self.orders_set_aside
            else ""
        )
        return (
            f"{self.kind} sync: {self.calls} Cin7 calls, {self.orders_seen} orders seen, "
            f"{self.orders_created} created, {self.orders_updated} updated, "
            f"{self.orders_skipped} skipped{set_aside}, {self.seconds:.2f} s"
        )


@dataclass(frozen=True, slots=True)
class SyncBusy:
    """A sync that did not start because another one is running; nothing was recorded."""

    message: str

    def describe(self) -> str:
        """One line for the console and the log."""
        return self.message


def sync_orders(
    session: Session,
    client: Cin7Client,
    selection: OrderSelection,
    *,
    trigger: str = "schedule",
    now: Callable[[], datetime] = utcnow,
    rows: int = PAGE_ROWS,
) -> SyncSummary | SyncBusy:
    """Run one sync and record it as a :class:`SyncRun`, unless another sync is running.

    Returns :class:`SyncBusy` when another sync holds the lock. Raises SyncError when
    Cin7 fails the run; any other exception propagates. Either way the run is recorded
    as finished with the error first.
    """
    with sync_lock(session.get_bind().engine) as held:
        if not held:
            return _busy(session)
        return _run(session, client, selection, trigger=trigger, now=now, rows=rows)


def _busy(session: Session) -> SyncBusy:
    """Say that another sync is running, and since when if its run is recorded yet."""
    running = session.scalar(
        select(SyncRun).where(SyncRun.finished_at.is_(None)).order_by(SyncRun.id.desc()).limit(1)
    )
    session.rollback()  # only read: hold no snapshot or SQLite read lock
    since = f" (since {said(running.started_at, SECONDS)})" if running is not None else ""
    return SyncBusy(f"An order sync is already running{since}; this one was not started.")


def _run(
    session: Session,
    client: Cin7Client,
    selection: OrderSelection,
    *,
    trigger: str,
    now: Callable[[], datetime],
    rows: int,
) -> SyncSummary:
    """Run one sync while holding the lock: page through Cin7, commit each page."""
    started = time.perf_counter()
    calls_before = client.calls_made
    _close_abandoned(session, now=now())
    run, cursor = begin_run(session, selection, trigger=trigger, now=now())
    session.commit()
    run_id = run.id
    try:
        for _ in range(MAX_PAGES):
            page = client.sales_orders(where=cursor.where(), order=ORDER, rows=rows)
            _apply_page(session, client, run, page, selection, now=now())
            if page:
                cursor = cursor.after(page[-1])
                advance(run, cursor)
            run.calls = client.calls_made - calls_before
            session.commit()
            if len(page) < rows:
                break
        _finish(session, run, client.calls_made - calls_before, error=None, now=now())
    except Cin7Error as exc:
        _fail(session, run_id, client.calls_made - calls_before, str(exc), now=now())
        raise SyncError(f"The order sync stopped: {exc}") from exc
    except BaseException as exc:  # recorded, then re-raised: a bug, a lost database, Ctrl-C
        error = f"The order sync stopped unexpectedly: {type(exc).__name__}: {exc}"
        _fail(session, run_id, client.calls_made - calls_before, error, now=now())
        raise
    summary = SyncSummary(
        run_id=run.id,
        kind=run.kind,
        calls=run.calls,
        orders_seen=run.orders_seen,
        orders_created=run.orders_created,
        orders_updated=run.orders_updated,
        orders_skipped=run.orders_skipped,
        seconds=time.perf_counter() - started,
        orders_set_aside=run.orders_set_aside,
    )
    log.info("order sync %s: %s", run.id, summary.describe())
    return summary


def _close_abandoned(session: Session, *, now: datetime) -> None:
    """Record runs left "running" as interrupted: whoever holds the lock is the only sync."""
    for run in session.scalars(select(SyncRun).where(SyncRun.finished_at.is_(None))):
        log.warning("order sync %s was left running by a process that ended", run.id)
        run.error = INTERRUPTED
        run.finished_at = max(now, run.started_at)


def _apply_page(
    session: Session,
    client: Cin7Client,
    run: SyncRun,
    page: list[Cin7Order],
    selection: OrderSelection,
    *,
    now: datetime,
) -> None:
    """Upsert one page of orders and the products their lines use.

    An order the database cannot store is set aside (``setaside``) and the page goes on.
    Everything Cin7 is asked for is fetched before the first write, so no HTTP call (and
    no write by the shared rate limiter) waits on this session's open write transaction.
    """
    with session.no_autoflush:
        known = upsert.local_orders(session, (o.id for o in page))
        to_write: list[tuple[Cin7Order, SalesOrder | None]] = []
        skipped = 0
        for order in page:
            local = known.get(order.id)
            if local is not None and upsert.is_current(local, order):
                continue
            if local is None and selection.reason_excluded(order, now=now) is not None:
                skipped += 1
                continue
            to_write.append((order, local))
        missing = upsert.missing_product_ids(
            session, (line.product_id for order, _ in to_write for line in order.lines)
        )
    products = []
    for start in range(0, len(missing), PAGE_ROWS):
        chunk = missing[start : start + PAGE_ROWS]
        products += client.products(where=f"id IN ({','.join(str(pid) for pid in chunk)})")
    upsert.write_products(session, products)
    stored = setaside.store_orders(session, to_write, run_id=run.id, now=now)
    cancel_for_void_orders(session, cin7_ids=[order.id for order, _ in to_write if order.is_void])
    run.orders_seen += len(page)
    run.orders_skipped += skipped
    run.orders_created += stored.created
    run.orders_updated += stored.updated
    run.orders_set_aside += len(stored.set_aside)


def _finish(
    session: Session, run: SyncRun, calls: int, *, error: str | None, now: datetime
) -> None:
    run = session.merge(run)
    run.calls = calls
    run.error = error
    run.finished_at = max(now, run.started_at)
    session.commit()


def _fail(session: Session, run_id: int, calls: int, error: str, *, now: datetime) -> None:
    """Undo the unfinished page and record the run as failed; its last committed page stays."""
    log.warning("order sync %s failed: %s", run_id, error)
    try:
        session.rollback()
        run = session.get(SyncRun, run_id)
        assert run is not None, "a committed run cannot vanish"
        _finish(session, run, calls, error=error, now=now)
    except SQLAlchemyError as exc:
        # The database itself failed: the run stays open until the next sync closes it.
        log.error("could not record order sync %s as failed: %s", run_id, exc)


def find_local_order(session: Session, reference: str) -> SalesOrder | None:
    """Station's copy of the order with this reference or Cin7 id, if it has one."""
    text = reference.strip()
    order = session.scalar(select(SalesOrder).where(SalesOrder.reference == text))
    cin7_id = parse_id(text)
    if order is None and cin7_id is not None:
        order = session.scalar(select(SalesOrder).where(SalesOrder.cin7_id == cin7_id))
    return order


def explain_missing(
    client: Cin7Client, reference: str, selection: OrderSelection, *, now: datetime
) -> str:
    """Why an order someone searched for is not in Station, asking Cin7 once."""
    text = reference.strip()
    quoted = text.replace("'", "''")
    found = client.sales_orders(where=f"reference = '{quoted}'", rows=1)
    cin7_id = parse_id(text)
    if not found and cin7_id is not None:
        found = client.sales_orders(where=f"id = {cin7_id}", rows=1)
    if not found:
        return f"Cin7 has no sales order {text!r}."
    reason = selection.reason_excluded(found[0], now=now)
    if reason:
        return reason
    return f"{found[0].reference} is in Cin7 and will appear after the next sync."


def refresh_order(session: Session, client: Cin7Client, cin7_id: int) -> SalesOrder | None:
    """Read one order from Cin7 now and update Station's copy (None when Cin7 has no such order).

    Products its lines use that Station lacks are fetched first, as a sync page does.
    Raises OrderNotStorable when Station cannot store the order; it is then set aside
    (kept when the caller commits), as a sync would.
    """
    order = client.sales_order(cin7_id)
    if order is None:
        return None
    missing = upsert.missing_product_ids(session, (line.product_id for line in order.lines))
    if missing:
        upsert.write_products(
            session, client.products(where=f"id IN ({','.join(str(pid) for pid in missing)})")
        )
    local = upsert.local_orders(session, [order.id]).get(order.id)
    stored = setaside.store_orders(session, [(order, local)], run_id=None, now=utcnow())
    if order.is_void:
        cancel_for_void_orders(session, cin7_ids=[order.id])
    if stored.set_aside:
        (_, reason), *_ = stored.set_aside
        raise OrderNotStorable(f"{order.reference or order.id} cannot be stored: {reason}")
    return upsert.local_orders(session, [order.id])[order.id]


def retry_set_aside(session: Session, client: Cin7Client, row: SetAsideOrder) -> SalesOrder | None:
    """Read a set-aside order from Cin7 again and store it (it then leaves the list).

    Returns None, and takes it off the list, when Cin7 no longer has the order. Raises
    OrderNotStorable when it still cannot be stored (the row keeps the newest reason).
    """
    fresh = refresh_order(session, client, row.cin7_id)
    if fresh is None:
        session.delete(row)
    return fresh
