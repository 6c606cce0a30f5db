"""Where an order sync run reads from: a keyset cursor over (modifiedDate, id).

Orders are read in :data:`ORDER` and each run keeps the last (modifiedDate, id) it read,
so an order edited while the sync pages moves past the cursor and is read again later
instead of shifting an unread order onto a page already read. Cin7 promises no order
among rows that tie on every ``order`` key, so ``id`` is the second key: hundreds of
orders saved in the same second (a bulk edit) still page exactly once each.

Where a run starts:

- the first sync is *full*, narrowed by the selection's ``first_sync_filter``;
- a full sync that did not finish is *resumed* after its last committed page with the
  filter it started with (kept in the ``sync.full_sync`` setting), not with today's;
- after that, runs are *incremental*, from the newest ``modifiedDate`` seen less OVERLAP.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.cin7.mapping import format_cin7_datetime
from station.cin7.selection import OrderSelection
from station.cin7.types import SalesOrder as Cin7Order
from station.models import Setting, SyncRun

ORDER = "modifiedDate ASC, id ASC"
OVERLAP = timedelta(seconds=5)
FULL_SYNC_KEY = "sync.full_sync"  # {"run_id": ..., "where": ...} of the newest full run


@dataclass(frozen=True, slots=True)
class Cursor:
    """Orders matching ``base`` that come after (modified, order_id) in :data:`ORDER`."""

    base: str | None
    modified: datetime | None = None
    order_id: int = 0

    def where(self) -> str | None:
        """The Cin7 filter for rows after this cursor (AND binds tighter than OR)."""
        if self.modified is None:
            return self.base
        stamp = format_cin7_datetime(self.modified)
        prefix = f"{self.base} AND " if self.base else ""
        return (
            f"{prefix}modifiedDate > '{stamp}' OR "
            f"{prefix}modifiedDate = '{stamp}' AND id > {self.order_id}"
        )

    def after(self, order: Cin7Order) -> Cursor:
        """The cursor just past ``order``, with the same base filter."""
        return Cursor(self.base, order.modified_date, order.id)


def begin_run(
    session: Session, selection: OrderSelection, *, trigger: str, now: datetime
) -> tuple[SyncRun, Cursor]:
    """Add a new run (flushed, not committed) and the cursor it starts reading from."""
    last = session.scalar(
        select(SyncRun).where(SyncRun.high_water.is_not(None)).order_by(SyncRun.id.desc()).limit(1)
    )
    if last is None:
        run = SyncRun(kind="full")
        cursor = Cursor(selection.first_sync_filter(now))
    elif last.kind == "full" and not last.succeeded:
        run = SyncRun(kind="full")
        base = _full_sync_filter(session, last, selection)
        cursor = Cursor(base, last.high_water, last.high_water_id or 0)
    else:
        run = SyncRun(kind="incremental")
        assert last.high_water is not None
        cursor = Cursor(None, last.high_water - OVERLAP)
    run.trigger, run.started_at = trigger, now
    if last is not None:
        run.high_water, run.high_water_id = last.high_water, last.high_water_id
    session.add(run)
    session.flush()
    if run.kind == "full":
        _remember_full_sync(session, run, cursor.base)
    return run, cursor


def advance(run: SyncRun, cursor: Cursor) -> None:
    """Move the run's high-water mark up to ``cursor`` (never back)."""
    if cursor.modified is None:
        return
    mark = (cursor.modified, cursor.order_id)
    if run.high_water is None or (run.high_water, run.high_water_id or 0) < mark:
        run.high_water, run.high_water_id = mark


def _full_sync_filter(session: Session, last: SyncRun, selection: OrderSelection) -> str | None:
    """The filter the unfinished full sync ``last`` started with."""
    row = session.get(Setting, FULL_SYNC_KEY)
    kept = row.value if row is not None and isinstance(row.value, dict) else {}
    if kept.get("run_id") == last.id:
        return kept.get("where")
    # Not remembered (a run from before this was kept): rebuild it as of when that run began.
    return selection.first_sync_filter(last.started_at)


def _remember_full_sync(session: Session, run: SyncRun, where: str | None) -> None:
    row = session.get(Setting, FULL_SYNC_KEY) or Setting(key=FULL_SYNC_KEY)
    row.value = {"run_id": run.id, "where": where}
    session.add(row)
