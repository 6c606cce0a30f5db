"""Opening a scanned order: ready to weigh, or the live consignment it already has."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from station.accounts import create_user
from station.dispatch.opening import AlreadyShipped, Opened, open_for_packing
from station.dispatch.options import DispatchOptions
from station.models import OrderHold, Role
from tests.dispatch.test_ship import add_order, ship

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_an_order_without_a_consignment_is_held_and_opened_with_its_item_count(
    ctx: Session,
) -> None:
    order = add_order(ctx)
    packer = create_user(ctx, "packer", "correct horse", role=Role.PACKER)

    opened = open_for_packing(
        ctx, order, packer, bench="B1", verify_items=True, options=DispatchOptions(), now=NOW
    )

    assert isinstance(opened, Opened) and opened.problems == [] and opened.checking_items
    hold = ctx.get(OrderHold, order.id)
    assert hold is not None and hold.user_id == packer.id and hold.item_counts == {}


def test_a_shipped_order_is_shown_with_its_consignment_and_who_may_change_it(
    ctx: Session,
) -> None:
    order = add_order(ctx)
    ship(ctx, order)  # booked by a job, not at a bench
    packer = create_user(ctx, "packer", "correct horse", role=Role.PACKER)
    manager = create_user(ctx, "boss", "correct horse", role=Role.MANAGER)

    seen = open_for_packing(
        ctx, order, packer, bench="B1", verify_items=False, options=DispatchOptions(), now=NOW
    )
    by_manager = open_for_packing(
        ctx, order, manager, bench="B1", verify_items=False, options=DispatchOptions(), now=NOW
    )

    assert isinstance(seen, AlreadyShipped) and isinstance(by_manager, AlreadyShipped)
    [live] = seen.live
    assert live.booked and live.consignment.tickets and len(live.labels) == 1
    assert live.refusal is not None and "it was not booked at a bench" in live.refusal
    assert by_manager.live[0].refusal is None
    assert ctx.get(OrderHold, order.id) is None  # nothing to hold: it is not being packed
