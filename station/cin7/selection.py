"""Which Cin7 sales orders Station keeps a copy of, and why an order is left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from station.cin7.mapping import format_cin7_datetime
from station.cin7.types import SalesOrder
from station.settings import SettingsStore
from station.sitetime import reader_zone

SETTING_KEY = "sync.selection"


@dataclass(frozen=True, slots=True)
class OrderSelection:
    """The sync's rule for new orders; orders Station already has are always kept current."""

    approved_only: bool = True
    include_dispatched: bool = False
    window_days: int = 30
    branch_ids: tuple[int, ...] = field(default=())
    stages: tuple[str, ...] = field(default=())  # empty: every stage

    def reason_excluded(self, order: SalesOrder, *, now: datetime) -> str | None:
        """Why ``order`` is not synced, in words for a person; None when it is synced."""
        ref = order.reference or f"Cin7 order {order.id}"
        if order.is_void:
            return f"{ref} is void in Cin7."
        if self.approved_only and not order.is_approved:
            return f"{ref} is not approved in Cin7 (status {order.status or 'unknown'})."
        if not self.include_dispatched and order.dispatched_date is not None:
            when = order.dispatched_date.astimezone(reader_zone())  # the reader's day
            return f"{ref} was already dispatched in Cin7 on {when:%Y-%m-%d}."
        if order.created_date is not None and order.created_date < self.window_start(now):
            return (
                f"{ref} was created on {order.created_date.astimezone(reader_zone()):%Y-%m-%d}, "
                f"before the sync window of {self.window_days} days."
            )
        if self.branch_ids and order.branch_id not in self.branch_ids:
            return f"{ref} belongs to branch {order.branch_id}, which is not synced."
        if self.stages and (order.stage or "") not in self.stages:
            return f"{ref} is at stage {order.stage!r}, which is not synced."
        return None

    def window_start(self, now: datetime) -> datetime:
        """The oldest creation time a new order may have."""
        return now - timedelta(days=self.window_days)

    def first_sync_filter(self, now: datetime) -> str:
        """The Cin7 ``where`` clause that narrows the first, full sync (ANDs only).

        Orders it leaves out that later change (a stage moves, an order is re-branched)
        get a new ``modifiedDate``, so the incremental syncs still see them.
        """
        parts = [f"createdDate >= '{format_cin7_datetime(self.window_start(now))}'"]
        if not self.include_dispatched:
            parts.append("dispatchedDate IS NULL")
        if self.branch_ids:
            parts.append(f"branchId IN ({', '.join(str(int(b)) for b in self.branch_ids)})")
        if self.stages:
            quoted = ", ".join("'" + stage.replace("'", "''") + "'" for stage in self.stages)
            parts.append(f"stage IN ({quoted})")
        return " AND ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form for the settings store."""
        return {
            "approved_only": self.approved_only,
            "include_dispatched": self.include_dispatched,
            "window_days": self.window_days,
            "branch_ids": list(self.branch_ids),
            "stages": list(self.stages),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> OrderSelection:
        """Read the settings store's form, filling defaults for what is missing."""
        data = data or {}
        return cls(
            approved_only=bool(data.get("approved_only", True)),
            include_dispatched=bool(data.get("include_dispatched", False)),
            window_days=int(data.get("window_days", 30)),
            branch_ids=tuple(int(b) for b in data.get("branch_ids", ())),
            stages=tuple(str(s) for s in data.get("stages", ())),
        )


def load_selection(store: SettingsStore) -> OrderSelection:
    """The configured selection (defaults when never set)."""
    return OrderSelection.from_dict(store.get(SETTING_KEY))


def save_selection(store: SettingsStore, selection: OrderSelection) -> None:
    """Store the selection; the next sync uses it."""
    store.set(SETTING_KEY, selection.to_dict())
