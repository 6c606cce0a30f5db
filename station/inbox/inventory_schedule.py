"""How often the inventory sync runs, and what that costs in Cin7 calls a day.

A manager picks the interval in the inbox settings (off, 15 min … 24 h). The schedule
wakes every ``TICK_MINUTES`` and syncs only when the chosen interval has passed since
the last sync (scheduled or "Sync now"), so a new choice counts from the next tick,
with no restart. A sync costs one ``GET v1/Stock`` call per 250 stock rows (one row per
SKU option and branch) and nothing else; the cost shown is the last sync's own count
when it finished, else an estimate from the stock levels Station holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.cin7.client import MAX_ROWS
from station.cin7.mapping import parse_cin7_datetime
from station.inbox.options import INVENTORY_SYNC_CHOICES, LAST_INVENTORY_SYNC_KEY
from station.models import InventoryLevel
from station.settings import SettingsStore

TICK_MINUTES = 15
# A tick may start a little earlier in its minute than the last sync did; that is on time.
EARLY_BY = timedelta(minutes=1)
MINUTES_A_DAY = 24 * 60


def interval_label(minutes: int) -> str:
    """How a person reads an interval: "Off", "Every 15 min", "Every 2 h"."""
    if minutes <= 0:
        return "Off"
    if minutes % 60:
        return f"Every {minutes} min"
    return "Every hour" if minutes == 60 else f"Every {minutes // 60} h"


def interval_choices(cost: SyncCost) -> list[tuple[int, str]]:
    """Every offered interval with the Cin7 calls a day it spends at ``cost``."""
    return [(m, interval_label(m) + _calls_a_day(cost, m)) for m in INVENTORY_SYNC_CHOICES]


def _calls_a_day(cost: SyncCost, minutes: int) -> str:
    if minutes <= 0:
        return ""
    calls = cost.calls_a_day(minutes)
    return f" (about {calls} Cin7 call{'' if calls == 1 else 's'} a day)"


def sync_due(minutes: int, last_at: datetime | None, *, now: datetime) -> bool:
    """Whether a scheduled sync runs at ``now``: on, and ``minutes`` passed since ``last_at``."""
    if minutes <= 0:
        return False
    return last_at is None or now - last_at >= timedelta(minutes=minutes) - EARLY_BY


def last_sync_at(store: SettingsStore) -> datetime | None:
    """When the last inventory sync started (finished or failed), or None if none ran."""
    at = (store.get(LAST_INVENTORY_SYNC_KEY) or {}).get("at")
    return parse_cin7_datetime(at) if at else None


@dataclass(frozen=True, slots=True)
class SyncCost:
    """Cin7 calls one sync makes: ``measured`` from the last sync, else estimated from ``rows``."""

    calls_per_sync: int
    measured: bool
    rows: int

    def calls_a_day(self, minutes: int) -> int:
        """Calls a day the schedule spends at ``minutes`` between syncs (0 when off)."""
        return self.calls_per_sync * (MINUTES_A_DAY // minutes) if minutes > 0 else 0

    @property
    def basis(self) -> str:
        """Where ``calls_per_sync`` comes from, for the settings page."""
        calls = f"{self.calls_per_sync} call{'' if self.calls_per_sync == 1 else 's'} a sync"
        if self.measured:
            return f"{calls}, as the last sync made them ({self.rows} stock rows)"
        return f"{calls}, estimated from the {self.rows} stock levels held (250 rows a call)"


def sync_cost(session: Session, store: SettingsStore) -> SyncCost:
    """What one inventory sync costs: the last finished sync's calls, else an estimate."""
    last = store.get(LAST_INVENTORY_SYNC_KEY) or {}
    calls = last.get("calls")
    if not last.get("error") and isinstance(calls, int) and calls > 0:
        return SyncCost(calls_per_sync=calls, measured=True, rows=int(last.get("rows") or 0))
    rows = session.scalar(select(func.count()).select_from(InventoryLevel)) or 0
    # Pages are read until one comes back short: an exact multiple of 250 costs one more.
    return SyncCost(calls_per_sync=rows // MAX_ROWS + 1, measured=False, rows=rows)
