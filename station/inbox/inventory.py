"""The inventory sync: Cin7's stock per SKU and branch, and what shops may sell of it.

Available stock is Order Desk's: Cin7's ``available`` (on hand − open sales), plus
``incoming`` when that option is on, minus ``holding`` when that one is on (never below
0). The sync reads every page of ``GET v1/Stock`` (250 rows a call) before it writes, then
replaces the stored levels in one transaction, so a failed sync leaves the last good one.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Select, delete, select
from sqlalchemy.orm import Session

from station.cin7.client import MAX_ROWS, Cin7Client
from station.cin7.errors import Cin7BadResponse
from station.cin7.types import StockRow
from station.inbox.options import InboxOptions
from station.listing import LIKE_ESCAPE, Paging, contains, fetch_page
from station.models import InventoryLevel
from station.reports.export import safe_cell
from station.sitetime import iso_utc

MAX_PAGES = 2_000  # 500,000 stock rows: far past any Cin7 account
ClientFactory = Callable[[], AbstractContextManager[Cin7Client]]


@dataclass(frozen=True, slots=True)
class SyncSummary:
    """What one inventory sync read."""

    rows: int
    skus: int
    calls: int


@dataclass(frozen=True, slots=True)
class Level:
    """What a shop may sell of one SKU at one branch."""

    sku: str
    branch_id: int
    branch_name: str
    available: Decimal
    synced_at: datetime


def sync_inventory(session: Session, connect: ClientFactory, *, now: datetime) -> SyncSummary:
    """Read all of Cin7's stock and replace the stored levels; commits.

    Raises the Cin7Error of a failed call; the stored levels are then left as they were.
    """
    session.commit()  # nothing may hold SQLite's write lock while Cin7 is asked
    with connect() as client:
        rows, calls = _read_all(client)
    levels: dict[tuple[str, int], InventoryLevel] = {}
    for row in rows:
        key = ((row.code or "").lower(), row.branch_id or 0)
        if row.code and key not in levels:  # a row without a SKU matches no shop product
            levels[key] = _level(row, now)
    session.execute(delete(InventoryLevel))
    session.add_all(levels.values())
    session.commit()
    return SyncSummary(rows=len(rows), skus=len({k[0] for k in levels}), calls=calls)


def _read_all(client: Cin7Client) -> tuple[list[StockRow], int]:
    rows: list[StockRow] = []
    for page in range(1, MAX_PAGES + 1):
        chunk = client.stock(page=page)
        rows += chunk
        if len(chunk) < MAX_ROWS:
            return rows, page
    raise Cin7BadResponse(f"Cin7 kept sending full pages of v1/Stock past page {MAX_PAGES}.")


def _level(row: StockRow, now: datetime) -> InventoryLevel:
    code = row.code or ""
    return InventoryLevel(
        sku=code,
        sku_key=code.lower(),
        branch_id=row.branch_id or 0,
        branch_name=row.branch_name,
        available=row.available,
        stock_on_hand=row.stock_on_hand,
        incoming=row.incoming,
        holding=row.holding,
        synced_at=now,
    )


def available(level: InventoryLevel, options: InboxOptions) -> Decimal:
    """Order Desk's available stock of one level under the inbox options (at least 0)."""
    amount = level.available
    if options.inventory_include_incoming:
        amount += level.incoming
    if options.inventory_subtract_holding:
        amount -= level.holding
    return max(amount, Decimal(0))


def inventory(session: Session, options: InboxOptions, *, sku: str = "") -> Iterator[Level]:
    """Every stored level (or one SKU's, in any letter case), by SKU then branch."""
    stmt = _levels()
    if sku.strip():
        stmt = stmt.where(InventoryLevel.sku_key == sku.strip().lower())
    for level in session.scalars(stmt):
        yield _shown(level, options)


def inventory_page(
    session: Session, options: InboxOptions, *, search: str, page: int, per_page: int
) -> tuple[list[Level], Paging]:
    """One page of the levels whose SKU contains ``search`` (any letter case)."""
    stmt = _levels()
    if search.strip():
        pattern = contains(search.strip().lower())
        stmt = stmt.where(InventoryLevel.sku_key.like(pattern, escape=LIKE_ESCAPE))
    rows, paging = fetch_page(session, stmt, page=page, per_page=per_page)
    return [_shown(level, options) for level in rows], paging


def _levels() -> Select[tuple[InventoryLevel]]:
    return select(InventoryLevel).order_by(InventoryLevel.sku_key, InventoryLevel.branch_id)


def _shown(level: InventoryLevel, options: InboxOptions) -> Level:
    return Level(
        sku=level.sku,
        branch_id=level.branch_id,
        branch_name=level.branch_name or "",
        available=available(level, options),
        synced_at=level.synced_at,
    )


def inventory_csv(levels: Iterator[Level]) -> str:
    """The levels as CSV, one row per SKU and branch (text that looks like a formula defused)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["sku", "branch_id", "branch", "available", "synced_at"])
    for level in levels:
        amount = f"{level.available.normalize():f}"  # 12.0000 → 12, never 1.2E+1
        cells = (level.sku, level.branch_id, level.branch_name, amount)
        writer.writerow([*(safe_cell(c) for c in cells), iso_utc(level.synced_at)])
    return out.getvalue()
