"""The inventory sync against the sandbox: every stock row, Order Desk's available, exports."""

from __future__ import annotations

import csv
import io
from contextlib import nullcontext
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.cin7.errors import Cin7Unavailable
from station.cin7.sandbox import SandboxServer
from station.db import utcnow
from station.inbox.inventory import (
    SyncSummary,
    inventory,
    inventory_csv,
    inventory_page,
    sync_inventory,
)
from station.inbox.options import InboxOptions
from station.models import InventoryLevel
from tests.dispatch.conftest import connect
from tests.inbox.builders import calls


def sync(session: Session, sandbox: SandboxServer) -> SyncSummary:
    with connect(sandbox) as client:
        return sync_inventory(session, lambda: nullcontext(client), now=utcnow())


def stock_row(sandbox: SandboxServer, code: str, branch_id: int) -> dict:
    return next(r for r in sandbox.state.stock if r["code"] == code and r["branchId"] == branch_id)


def test_every_stock_row_is_read_and_stored_per_sku_and_branch(
    ctx: Session, sandbox: SandboxServer
) -> None:
    summary = sync(ctx, sandbox)

    rows = len(sandbox.state.stock)
    assert summary == SyncSummary(rows=rows, skus=rows // 3, calls=rows // 250 + 1)
    assert calls(sandbox.state, "GET", "Stock") == summary.calls
    assert ctx.scalar(select(func.count()).select_from(InventoryLevel)) == rows


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        (InboxOptions(), 30),
        (InboxOptions(inventory_include_incoming=True), 37),
        (InboxOptions(inventory_subtract_holding=True), 26),
        (InboxOptions(inventory_include_incoming=True, inventory_subtract_holding=True), 33),
    ],
)
def test_available_adds_incoming_and_takes_off_holding_when_chosen(
    ctx: Session, sandbox: SandboxServer, options: InboxOptions, expected: int
) -> None:
    stock_row(sandbox, "MUG-SAND", 2).update(available=30, incoming=7, holding=4)
    sync(ctx, sandbox)

    (level,) = [lv for lv in inventory(ctx, options, sku="mug-sand") if lv.branch_id == 2]

    assert level.available == Decimal(expected) and level.branch_name == "Christchurch Store"


def test_available_never_goes_below_zero(ctx: Session, sandbox: SandboxServer) -> None:
    stock_row(sandbox, "MUG-SAND", 1).update(available=1, incoming=0, holding=5)
    sync(ctx, sandbox)

    levels = inventory(ctx, InboxOptions(inventory_subtract_holding=True), sku="MUG-SAND")

    assert next(lv for lv in levels if lv.branch_id == 1).available == 0


def test_a_second_sync_replaces_the_first(ctx: Session, sandbox: SandboxServer) -> None:
    sync(ctx, sandbox)
    sandbox.state.stock = [r for r in sandbox.state.stock if r["code"] == "MUG-SAND"]

    summary = sync(ctx, sandbox)

    assert summary.skus == 1
    assert {lv.sku for lv in inventory(ctx, InboxOptions())} == {"MUG-SAND"}


def test_a_failed_sync_keeps_the_last_good_levels(ctx: Session, sandbox: SandboxServer) -> None:
    sync(ctx, sandbox)
    before = ctx.scalar(select(func.count()).select_from(InventoryLevel))
    sandbox.state.faults.fail_next(503, count=2)

    with pytest.raises(Cin7Unavailable):
        sync(ctx, sandbox)

    ctx.rollback()
    assert ctx.scalar(select(func.count()).select_from(InventoryLevel)) == before


def test_the_csv_has_one_row_per_sku_and_branch_with_formulas_defused(
    ctx: Session, sandbox: SandboxServer
) -> None:
    sandbox.state.stock = [
        {**stock_row(sandbox, "MUG-SAND", 1), "available": 12},
        {**stock_row(sandbox, "MUG-SAND", 1), "code": "=HYPERLINK(1)", "available": 0},
    ]
    sync(ctx, sandbox)

    rows = list(csv.reader(io.StringIO(inventory_csv(inventory(ctx, InboxOptions())))))

    assert rows[0] == ["sku", "branch_id", "branch", "available", "synced_at"]
    assert [r[:4] for r in rows[1:]] == [
        ["'=HYPERLINK(1)", "1", "Auckland Warehouse", "0"],
        ["MUG-SAND", "1", "Auckland Warehouse", "12"],
    ]
    assert all(r[4].endswith("Z") for r in rows[1:])  # an export: UTC with Z


def test_the_page_finds_skus_containing_the_search(ctx: Session, sandbox: SandboxServer) -> None:
    sync(ctx, sandbox)

    levels, paging = inventory_page(ctx, InboxOptions(), search="mug-", page=1, per_page=50)

    assert paging.total == 9 and {lv.sku for lv in levels} == {
        "MUG-SEAGRE",
        "MUG-SAND",
        "MUG-CHARCO",
    }
