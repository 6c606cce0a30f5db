"""Records of order syncs and of the Cin7 calls Station spends each day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from station.db import Base, utcnow


class SyncRun(Base):
    """One run of the order sync: what it asked Cin7, what it found, how it ended."""

    __tablename__ = "sync_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "full" or "incremental"
    trigger: Mapped[str] = mapped_column(String(16), default="schedule")
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    calls: Mapped[int] = mapped_column(default=0)
    orders_seen: Mapped[int] = mapped_column(default=0)
    orders_created: Mapped[int] = mapped_column(default=0)
    orders_updated: Mapped[int] = mapped_column(default=0)
    orders_skipped: Mapped[int] = mapped_column(default=0)
    # Orders read but not stored (see SetAsideOrder): the run goes on without them.
    orders_set_aside: Mapped[int] = mapped_column(default=0, server_default="0")
    high_water: Mapped[datetime | None]  # newest modifiedDate seen, for the next run
    high_water_id: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)

    @property
    def succeeded(self) -> bool:
        """True when the run finished without an error."""
        return self.finished_at is not None and self.error is None

    @property
    def seconds(self) -> float | None:
        """How long the run took, once it finished."""
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class SetAsideOrder(Base):
    """A Cin7 order the sync could not store, with why; listed under Needs attention.

    It stays until the order is stored: by a later sync once it changes in Cin7, or by
    Retry on Needs attention (after a fix on Station's side).
    """

    __tablename__ = "set_aside_order"

    id: Mapped[int] = mapped_column(primary_key=True)
    cin7_id: Mapped[int] = mapped_column(unique=True)
    reference: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text)
    cin7_modified: Mapped[datetime]  # the version that could not be stored
    run_id: Mapped[int | None] = mapped_column(ForeignKey("sync_run.id"))  # None: a retry
    first_set_aside_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_tried_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=1)


class Cin7CallDay(Base):
    """How many Cin7 API calls Station made on one UTC day, against the 5,000 budget."""

    __tablename__ = "cin7_call_day"

    day: Mapped[date] = mapped_column(primary_key=True)
    calls: Mapped[int] = mapped_column(default=0)
    throttled: Mapped[int] = mapped_column(default=0)  # answered 429
    failed: Mapped[int] = mapped_column(default=0)  # 5xx, timeouts, connection errors


class Cin7CallSlot(Base):
    """One Cin7 call in the shared rate limiter's log (kept for a day, then pruned)."""

    __tablename__ = "cin7_call_slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[float] = mapped_column(index=True)  # epoch seconds


class Cin7AllowanceUse(Base):
    """One use of a person's allowance of Cin7-calling actions (kept for its window, then pruned)."""

    __tablename__ = "cin7_allowance_use"
    __table_args__ = (Index("ix_cin7_allowance_use_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(96))  # "<action>:<user id>"
    at: Mapped[float]  # epoch seconds
