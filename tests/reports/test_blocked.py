"""Blocked orders: the orders the bench would refuse now, grouped by the check they fail."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.dispatch.checks import Check, ShipRules
from station.models import ConsignmentState, SalesOrder
from station.reports.blocked import BlockedOrder, blocked_now, blocked_page, blocked_summary
from tests.builders import add_order
from tests.reports.samples import sent

BATCH_REASON = (
    "TEE-BLK-M (Tee) is Batch-controlled: Cin7 does not deduct its stock on an API "
    "dispatch, so dispatch it in Cin7"
)


def add_orders(ctx: Session) -> dict[str, int]:
    """Nine orders, seven of them open; returns their ids by reference."""
    add_order(ctx, 1)  # ready to ship: not blocked
    add_order(ctx, 2, is_void=True)
    add_order(ctx, 3, dispatched_date=datetime(2026, 11, 20, tzinfo=UTC))
    add_order(ctx, 4, delivery_city=" ", delivery_postal_code=None)
    add_order(ctx, 5).lines[0].stock_control = "Batch"
    shipped = add_order(ctx, 6, stage="Dispatched")  # shipped by Station: not open
    sent(ctx, "2026-11-24 01:00", order=shipped)
    voided = add_order(ctx, 7, is_void=True)  # its consignment was voided: open again
    sent(ctx, "2026-11-24 01:00", order=voided, state=ConsignmentState.VOIDED)
    empty = add_order(ctx, 8, delivery_address1="")
    empty.lines = []
    add_order(ctx, 9, stage="On Hold")
    ctx.commit()
    return {order.reference: order.id for order in ctx.scalars(select(SalesOrder))}


def by_check(ctx: Session, *, guard: bool) -> dict[Check, list[BlockedOrder]]:
    return {g.check: list(g.orders) for g in blocked_now(ctx, ShipRules(block_batch_serial=guard))}


def test_open_orders_are_grouped_by_every_check_they_fail(ctx: Session) -> None:
    ids = add_orders(ctx)

    groups = by_check(ctx, guard=True)

    assert groups == {
        Check.VOID: [
            BlockedOrder(ids["SO-2"], "SO-2", ("the order is void in Cin7",)),
            BlockedOrder(ids["SO-7"], "SO-7", ("the order is void in Cin7",)),
        ],
        Check.DISPATCHED: [
            BlockedOrder(ids["SO-3"], "SO-3", ("the order is already dispatched in Cin7",))
        ],
        Check.STAGE: [BlockedOrder(ids["SO-9"], "SO-9", ("it is On Hold in Cin7",))],
        Check.NO_LINES: [BlockedOrder(ids["SO-8"], "SO-8", ("the order has no lines",))],
        Check.ADDRESS: [
            BlockedOrder(ids["SO-4"], "SO-4", ("the delivery address has no city, postcode",)),
            BlockedOrder(ids["SO-8"], "SO-8", ("the delivery address has no street address",)),
        ],
        Check.BATCH_SERIAL: [BlockedOrder(ids["SO-5"], "SO-5", (BATCH_REASON,))],
    }


def test_with_the_batch_serial_guard_off_those_orders_are_not_blocked(ctx: Session) -> None:
    add_orders(ctx)

    groups = by_check(ctx, guard=False)

    assert Check.BATCH_SERIAL not in groups
    assert "SO-5" not in {o.reference for orders in groups.values() for o in orders}


def test_with_nothing_blocked_every_check_counts_zero(ctx: Session) -> None:
    add_order(ctx, 1)
    ctx.commit()

    groups = blocked_now(ctx, ShipRules())

    assert [(g.label, g.count) for g in groups] == [(check.value, 0) for check in Check]


@pytest.mark.parametrize("guard", [True, False])
def test_the_database_counts_each_check_as_the_checks_do_order_by_order(
    ctx: Session, guard: bool
) -> None:
    add_orders(ctx)
    rules = ShipRules(block_batch_serial=guard)

    summary = blocked_summary(ctx, rules)

    groups = blocked_now(ctx, rules)
    assert [(c.check, c.count) for c in summary.counts] == [(g.check, g.count) for g in groups]
    assert summary.orders == len({o.order_id for g in groups for o in g.orders})
    assert summary.rows == sum(g.count for g in groups)


@pytest.mark.parametrize("per_page", [1, 2, 3, 4, 50])
def test_pages_of_blocked_orders_run_through_every_check_in_order_without_gaps(
    ctx: Session, per_page: int
) -> None:
    add_orders(ctx)
    rules = ShipRules()
    summary = blocked_summary(ctx, rules)
    every = [(g.check, o) for g in blocked_now(ctx, rules) for o in g.orders]

    paged: list[tuple[Check, BlockedOrder]] = []
    page = 1
    while True:
        rows, paging = blocked_page(ctx, rules, summary, page=page, per_page=per_page)
        paged.extend((row.check, row.order) for row in rows)
        assert len(rows) <= per_page
        if not paging.has_next:
            break
        page += 1

    assert paged == every
    assert page == -(-len(every) // per_page)


def test_a_page_past_the_end_shows_the_last_one(ctx: Session) -> None:
    add_orders(ctx)
    rules = ShipRules()
    summary = blocked_summary(ctx, rules)

    rows, paging = blocked_page(ctx, rules, summary, page=10**6, per_page=3)

    assert paging.page == paging.pages == 3
    assert [row.order.reference for row in rows] == ["SO-8", "SO-5"]  # address, batch/serial
