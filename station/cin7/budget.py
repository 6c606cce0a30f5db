"""Counting the Cin7 calls Station spends each day against the account's daily budget,
and keeping the day's last calls for dispatch write-backs.

Cin7 does not say where its day begins. The shared limiter counts the 5,000 in any 24
hours, which holds whatever Cin7's boundary is, so the reserve counts the same way: a read
(a sync, a lookup, a shipment or stock check) is refused once the calls of the last 24
hours reach the budget less the reserve, and may go again when the oldest of them are a
day old. Only the outbox's write-backs (Dispatched, tracking, freight) may spend the
reserve: a packed order must reach Cin7 the day it ships. Inbox submissions stop with the
reads: an order created in Cin7 then could not be synced back to be packed that day, and
the inbox sends it again later. The header's "calls today" is the UTC calendar day.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Protocol

from sqlalchemy import Engine, Label, Row, Select, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from station.cin7.errors import Cin7BudgetReserved
from station.cin7.ratelimit import CallLimits, CallSlot, DayUse
from station.models import Cin7CallDay, SyncRun
from station.sitetime import said

DAILY_BUDGET = 5000
# A run unfinished for longer than this is taken to have died with its process.
SYNC_STALE_AFTER = timedelta(minutes=15)
_TODAY = "cin7_today"  # the bound parameter of status_columns()


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
    """Calls spent today, the time of the last successful sync, and a sync under way.

    One statement (:func:`status_columns`); a page header folds the same columns into its own.
    """
    now = now or datetime.now(UTC)
    row = session.execute(_status_statement(), status_parameters(now)).one()
    return status_from(row, now)


@cache
def status_columns() -> tuple[Label[Any], ...]:
    """What :func:`status_from` reads, as labelled scalar subqueries of one SELECT.

    Built once per process: a statement made anew on every page spent more time being
    built and keyed for SQLAlchemy's cache than in the database. Today's date is the
    parameter :func:`status_parameters` fills. Runs are taken newest first by
    ``started_at``, which is indexed: a page's header never scans the sync history.
    """

    def today(column: Any) -> Any:
        return select(column).where(Cin7CallDay.day == bindparam(_TODAY)).scalar_subquery()

    def newest(column: Any, *where: Any) -> Any:
        newest_first = (SyncRun.started_at.desc(), SyncRun.id.desc())
        return select(column).where(*where).order_by(*newest_first).limit(1).scalar_subquery()

    return (
        today(Cin7CallDay.calls).label("calls_today"),
        today(Cin7CallDay.throttled).label("throttled_today"),
        newest(
            SyncRun.finished_at, SyncRun.finished_at.is_not(None), SyncRun.error.is_(None)
        ).label("last_sync_at"),
        newest(SyncRun.error).label("run_error"),
        newest(SyncRun.started_at).label("run_started_at"),
        newest(SyncRun.finished_at).label("run_finished_at"),
        newest(SyncRun.orders_seen).label("run_orders_seen"),
        newest(SyncRun.calls).label("run_calls"),
    )


def status_parameters(now: datetime) -> dict[str, Any]:
    """The parameters of :func:`status_columns` at ``now``."""
    return {_TODAY: now.date()}


@cache
def _status_statement() -> Select[Any]:
    return select(*status_columns())


def status_from(row: Row[Any], now: datetime) -> Cin7Status:
    """The status from a row holding :func:`status_columns` (among any others)."""
    running = None
    started = row.run_started_at
    if started is not None and row.run_finished_at is None and now - started <= SYNC_STALE_AFTER:
        # an unfinished run older than SYNC_STALE_AFTER died with its process
        running = SyncProgress(
            started_at=started, orders_seen=row.run_orders_seen, calls=row.run_calls
        )
    return Cin7Status(
        calls_today=row.calls_today or 0,
        throttled_today=row.throttled_today or 0,
        budget=DAILY_BUDGET,
        last_sync_at=row.last_sync_at,
        last_sync_error=row.run_error or None,
        running=running,
    )


def daily_reserve(value: object) -> int:
    """``CIN7_DAILY_RESERVE`` as a whole number of calls; raises ValueError naming it otherwise."""
    try:
        return int(str(value))
    except ValueError:
        raise ValueError(
            f"CIN7_DAILY_RESERVE must be a whole number of calls, not {value!r}"
        ) from None


class CountingLimiter(Protocol):
    """A shared limiter that can also say how many calls the last 24 hours hold."""

    limits: CallLimits

    def acquire(self) -> CallSlot:
        """Wait for a slot and take it."""
        ...

    def settle(self, slot: CallSlot) -> None:
        """The call of ``slot`` has its reply."""
        ...

    def day_use(self, *, below: int) -> DayUse:
        """Calls in the last 24 hours, and the seconds until fewer than ``below`` are."""
        ...


class ReserveKeepingLimiter:
    """The limiter for reads: refuses a call that would spend the day's reserve.

    Checked before the slot is taken, not under the limiter's lock: reads running at the
    same moment may each take one call past the line, a handful out of the reserve.
    """

    def __init__(
        self,
        limiter: CountingLimiter,
        *,
        reserve: int,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        per_day = limiter.limits.per_day
        if not 0 <= reserve < per_day:
            raise ValueError(
                f"CIN7_DAILY_RESERVE must be from 0 to {per_day - 1:,} calls, not {reserve!r}"
            )
        self.limits = limiter.limits
        self.reserve = reserve
        self._limiter = limiter
        self._clock = clock

    def acquire(self) -> CallSlot:
        """Take a slot; raises Cin7BudgetReserved when only the reserve is left."""
        if self.reserve:
            use = self._limiter.day_use(below=self.limits.per_day - self.reserve)
            if use.wait > 0:
                raise Cin7BudgetReserved(self._refusal(use), retry_after=use.wait)
        return self._limiter.acquire()

    def settle(self, slot: CallSlot) -> None:
        """The call of ``slot`` has its reply."""
        self._limiter.settle(slot)

    def day_use(self, *, below: int) -> DayUse:
        """Calls in the last 24 hours, and the seconds until fewer than ``below`` are."""
        return self._limiter.day_use(below=below)

    def _refusal(self, use: DayUse) -> str:
        left = max(0, self.limits.per_day - use.calls)
        resumes = self._clock() + timedelta(seconds=use.wait)
        hours = use.wait / 3600
        about = (
            f"{math.ceil(hours)} hours" if hours >= 1.5 else f"{math.ceil(use.wait / 60)} minutes"
        )
        return (
            f"Cin7's daily budget is nearly spent: {left:,} calls left, kept for dispatch "
            f"updates; syncing and lookups resume after {said(resumes)} (in about {about})."
        )
