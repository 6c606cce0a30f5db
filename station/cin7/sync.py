"""The order sync: bring Cin7 sales orders into Station, once and without losing any.

Orders are read in ``modifiedDate`` order with a keyset cursor (modifiedDate, id) rather
than page numbers, so an order edited while the sync pages through the list moves past
the cursor and is read again later instead of shifting an unread order onto a page that
was already read. Each page is committed with the cursor, so an interrupted sync resumes
where it stopped. The next sync starts a little before the newest ``modifiedDate`` seen
(the overlap) and skips orders whose ``modifiedDate`` it already has.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.cin7 import upsert
from station.cin7.client import Cin7Client
from station.cin7.errors import Cin7Error
from station.cin7.mapping import format_cin7_datetime
from station.cin7.selection import OrderSelection
from station.cin7.types import SalesOrder as Cin7Order
from station.db import utcnow
from station.errors import StationError
from station.models import SalesOrder, SyncRun

log = logging.getLogger(__name__)

PAGE_ROWS = 250  # Cin7's largest page
OVERLAP = timedelta(seconds=5)
STALE_RUN = timedelta(minutes=15)  # a "running" run older than this has died
MAX_PAGES = 2_000  # 500,000 orders: a bound, not an expectation


class SyncError(StationError):
    """The sync could not finish; the message says why, the run row keeps it."""


class SyncAlreadyRunning(SyncError):
    """Another sync is running now."""


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

    def describe(self) -> str:
        """One line for the console and the log."""
        return (
            f"{self.kind} sync: {self.calls} Cin7 calls, {self.orders_seen} orders seen, "
            f"{self.orders_created} created, {self.orders_updated} updated, "
            f"{self.orders_skipped} skipped, {self.seconds:.2f} s"
        )


@dataclass
class _Cursor:
    modified: datetime | None
    order_id: int

    def where(self, base: str | None) -> str | None:
        """The Cin7 filter for rows after this cursor (AND binds tighter than OR)."""
        if self.modified is None:
            return base
        stamp = format_cin7_datetime(self.modified)
        prefix = f"{base} AND " if base else ""
        return (
            f"{prefix}modifiedDate > '{stamp}' OR "
            f"{prefix}modifiedDate = '{stamp}' AND id > {self.order_id}"
        )


def sync_orders(
    session: Session,
    client: Cin7Client,
    selection: OrderSelection,
    *,
    trigger: str = "schedule",
    now: Callable[[], datetime] = utcnow,
    rows: int = PAGE_ROWS,
) -> SyncSummary:
    """Run one sync and record it as a :class:`SyncRun`; raises SyncError when it fails."""
    started = time.perf_counter()
    calls_before = client.calls_made
    run, cursor, base = _start_run(session, selection, trigger=trigger, now=now())
    try:
        for _ in range(MAX_PAGES):
            page = client.sales_orders(
                where=cursor.where(base), order="modifiedDate ASC", rows=rows
            )
            _apply_page(session, client, run, page, selection, now=now())
            if page:
                cursor = _Cursor(page[-1].modified_date, page[-1].id)
                run.high_water, run.high_water_id = cursor.modified, cursor.order_id
            run.calls = client.calls_made - calls_before
            session.commit()
            if len(page) < rows:
                break
    except Cin7Error as exc:
        session.rollback()
        _finish(session, run, client.calls_made - calls_before, error=str(exc), now=now())
        log.warning("order sync %s failed: %s", run.id, exc)
        raise SyncError(f"The order sync stopped: {exc}") from exc
    _finish(session, run, client.calls_made - calls_before, error=None, now=now())
    summary = SyncSummary(
        run_id=run.id,
        kind=run.kind,
        calls=run.calls,
        orders_seen=run.orders_seen,
        orders_created=run.orders_created,
        orders_updated=run.orders_updated,
        orders_skipped=run.orders_skipped,
        seconds=time.perf_counter() - started,
    )
    log.info("order sync %s: %s", run.id, summary.describe())
    return summary


def _start_run(
    session: Session, selection: OrderSelection, *, trigger: str, now: datetime
) -> tuple[SyncRun, _Cursor, str | None]:
    """Record a new run and decide where it starts: after the last high-water mark, or full."""
    running = session.scalar(
        select(SyncRun).where(SyncRun.finished_at.is_(None), SyncRun.started_at > now - STALE_RUN)
    )
    if running is not None:
        raise SyncAlreadyRunning(f"A sync has been running since {running.started_at:%H:%M:%S}.")
    last = session.scalar(
        select(SyncRun)
        .where(SyncRun.high_water.is_not(None))
        .order_by(SyncRun.high_water.desc(), SyncRun.id.desc())
        .limit(1)
    )
    if last is None:
        run = SyncRun(kind="full", trigger=trigger, started_at=now)
        cursor, base = _Cursor(None, 0), selection.first_sync_filter(now)
    else:
        run = SyncRun(kind="incremental", trigger=trigger, started_at=now)
        assert last.high_water is not None
        cursor, base = _Cursor(last.high_water - OVERLAP, 0), None
        run.high_water, run.high_water_id = last.high_water, last.high_water_id
    session.add(run)
    session.commit()
    return run, cursor, base


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
    for order, local in to_write:
        upsert.write_order(session, order, local)
    run.orders_seen += len(page)
    run.orders_skipped += skipped
    run.orders_created += sum(1 for _, local in to_write if local is None)
    run.orders_updated += sum(1 for _, local in to_write if local is not None)


def _finish(
    session: Session, run: SyncRun, calls: int, *, error: str | None, now: datetime
) -> None:
    run = session.merge(run)
    run.calls = calls
    run.error = error
    run.finished_at = max(now, run.started_at)
    session.commit()


def find_local_order(session: Session, reference: str) -> SalesOrder | None:
    """Station's copy of the order with this reference or Cin7 id, if it has one."""
    text = reference.strip()
    order = session.scalar(select(SalesOrder).where(SalesOrder.reference == text))
    if order is None and text.isdigit():
        order = session.scalar(select(SalesOrder).where(SalesOrder.cin7_id == int(text)))
    return order


def explain_missing(
    client: Cin7Client, reference: str, selection: OrderSelection, *, now: datetime
) -> str:
    """Why an order someone searched for is not in Station, asking Cin7 once."""
    text = reference.strip()
    quoted = text.replace("'", "''")
    found = client.sales_orders(where=f"reference = '{quoted}'", rows=1)
    if not found and text.isdigit():
        found = client.sales_orders(where=f"id = {int(text)}", rows=1)
    if not found:
        return f"Cin7 has no sales order {text!r}."
    reason = selection.reason_excluded(found[0], now=now)
    if reason:
        return reason
    return f"{found[0].reference} is in Cin7 and will appear after the next sync."
