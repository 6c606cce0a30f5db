"""Opening a scanned order: ready to weigh, or the live consignment it already has."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.accounts import create_user
from station.dispatch.opening import AlreadyShipped, NoSuchOrder, Opened, look_at, open_for_packing
from station.dispatch.options import DispatchOptions
from station.models import OrderHold, Role
from tests.builders import add_order, ship

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


def test_an_order_without_a_consignment_is_held_and_opened_with_its_item_count(
    ctx: Session,
) -> None:
    order = add_order(ctx)
    packer = create_user(ctx, "packer", "correct horse", role=Role.PACKER)

    opened = look_at(
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

    seen = look_at(
        ctx, order, packer, bench="B1", verify_items=False, options=DispatchOptions(), now=NOW
    )
    by_manager = look_at(
        ctx, order, manager, bench="B1", verify_items=False, options=DispatchOptions(), now=NOW
    )

    assert isinstance(seen, AlreadyShipped) and isinstance(by_manager, AlreadyShipped)
    [live] = seen.live
    assert live.booked and live.consignment.tickets and len(live.labels) == 1
    assert live.refusal is not None and "it was not booked at a bench" in live.refusal
    assert by_manager.live[0].refusal is None
    assert ctx.get(OrderHold, order.id) is None  # nothing to hold: it is not being packed


def test_a_scan_holds_the_order_and_commits_with_what_its_form_offers(ctx: Session) -> None:
    order = add_order(ctx)
    packer = create_user(ctx, "packer", "correct horse", role=Role.PACKER)
    ctx.commit()

    opened = open_for_packing(packer, "so-5001", printer_id=None, verify_items=True, now=NOW)

    assert isinstance(opened, Opened) and opened.order.id == order.id
    assert opened.choices is not None and opened.check is not None
    ctx.rollback()  # what the scan committed stays
    hold = ctx.get(OrderHold, order.id)
    assert hold is not None and hold.user_id == packer.id and hold.item_counts == {}


def test_a_scan_naming_no_order_says_so_and_holds_nothing(ctx: Session) -> None:
    add_order(ctx)
    packer = create_user(ctx, "packer", "correct horse", role=Role.PACKER)
    ctx.commit()

    missing = open_for_packing(packer, "SO-9", printer_id=None, verify_items=False, now=NOW)

    assert isinstance(missing, NoSuchOrder)
    assert missing.describe().startswith("No order matches 'SO-9'.")
    assert ctx.scalars(select(OrderHold)).all() == []


def test_a_scan_of_only_spaces_asks_for_a_scan(ctx: Session) -> None:
    packer = create_user(ctx, "packer", "correct horse", role=Role.PACKER)
    ctx.commit()

    blank = open_for_packing(packer, "   ", printer_id=None, verify_items=False, now=NOW)

    assert isinstance(blank, NoSuchOrder)
    assert blank.describe() == "Scan the packing slip's barcode or type the order reference."
