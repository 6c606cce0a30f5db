"""Counting the Cin7 calls Station spends each day against the account's daily budget."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from station.models import Cin7CallDay, SyncRun

DAILY_BUDGET = 5000
# A run unfinished for longer than this is taken to have died with its process.
SYNC_STALE_AFTER = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """A sync under way: since when, and how far it has got (committed pages)."""

    started_at: datetime
    orders_seen: int
    calls: int


@dataclass(frozen=True, slots=True)
class Cin7Status:
    """What every page's header says about the Cin7 link."""

    calls_today: int
    throttled_today: int
    budget: int
    last_sync_at: datetime | None
    last_sync_error: str | None
    running: SyncProgress | None = None

    @property
    def budget_left(self) -> int:
        """Calls left today before Cin7 starts refusing."""
        return max(0, self.budget - self.calls_today)


def record_call(engine: Engine, *, status: int | None, when: datetime | None = None) -> None:
    """Count one HTTP attempt to Cin7 on its own connection, so it sticks even on rollback."""
    day = (when or datetime.now(UTC)).date()
    throttled = 1 if status == 429 else 0
    failed = 1 if status is None or status >= 500 else 0
    values = {
        "calls": Cin7CallDay.calls + 1,
        "throttled": Cin7CallDay.throttled + throttled,
        "failed": Cin7CallDay.failed + failed,
    }
    with engine.begin() as conn:
        changed = conn.execute(update(Cin7CallDay).where(Cin7CallDay.day == day).values(values))
        if changed.rowcount:
            return
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(Cin7CallDay).values(day=day, calls=1, throttled=throttled, failed=failed)
            )
    except IntegrityError:  # another process inserted the day first: count on its row
        with engine.begin() as conn:
            conn.execute(update(Cin7CallDay).where(Cin7CallDay.day == day).values(values))


def cin7_status(session: Session, *, now: datetime | None = None) -> Cin7Status:
    """Calls spent today, the time of the last successful sync, and a sync under way."""
    now = now or datetime.now(UTC)
    today = now.date()
    row = session.get(Cin7CallDay, today)
    last_ok = session.scalar(
        select(SyncRun)
        .where(SyncRun.finished_at.is_not(None), SyncRun.error.is_(None))
        .order_by(SyncRun.finished_at.desc())
        .limit(1)
    )
    last_run = session.scalar(select(SyncRun).order_by(SyncRun.started_at.desc()).limit(1))
    return Cin7Status(
        calls_today=row.calls if row else 0,
        throttled_today=row.throttled if row else 0,
        budget=DAILY_BUDGET,
        last_sync_at=last_ok.finished_at if last_ok else None,
        last_sync_error=last_run.error if last_run and last_run.error else None,
        running=_progress(last_run, now),
    )


def _progress(run: SyncRun | None, now: datetime) -> SyncProgress | None:
    if run is None or run.finished_at is not None:
        return None
    if now - run.started_at > SYNC_STALE_AFTER:  # UTCDateTime loads it timezone-aware
        return None
    return SyncProgress(started_at=run.started_at, orders_seen=run.orders_seen, calls=run.calls)
