"""The shipment check against the sandbox: shipped and void orders move, each once."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy.orm import Session

from station import create_app
from station.cin7.errors import Cin7Unavailable
from station.cin7.sandbox import SandboxServer
from station.db import utcnow
from station.inbox.folders import DefaultFolder, create_folder, default_folder
from station.inbox.options import InboxOptions
from station.inbox.shipments import ShipmentReport, check_shipments
from station.models import InboxOrder
from tests.dispatch.conftest import connect
from tests.inbox.builders import calls, dispatch, kinds, submit, submitted, take


def check(
    session: Session, sandbox: SandboxServer, options: InboxOptions | None = None
) -> ShipmentReport:
    with connect(sandbox) as client:
        return check_shipments(
            session, lambda: nullcontext(client), options=options or InboxOptions(), now=utcnow()
        )


def test_a_dispatched_order_takes_its_tracking_and_moves_to_shipped(
    ctx: Session, sandbox: SandboxServer
) -> None:
    shipped, open_ = submitted(ctx, sandbox, "1", "2")
    dispatch(sandbox.state, shipped)

    report = check(ctx, sandbox)

    assert report == ShipmentReport(checked=2, shipped=(shipped.id,), calls=1)
    assert (shipped.tracking_code, shipped.logistics_carrier) == ("NZP123456789", "NZ Post")
    assert (
        shipped.shipped_at is not None
        and shipped.shipped_at.isoformat() == "2026-05-01T03:04:05+00:00"
    )
    assert shipped.folder.name == "Shipped" and kinds(shipped)[-2:] == ["shipped", "moved"]
    assert (
        shipped.events[-2].message
        == "Cin7 dispatched it on 2026-05-01 03:04 UTC (NZ Post NZP123456789)."
    )
    assert open_.folder.name == "Submitted" and open_.shipped_at is None


def test_a_dispatched_date_station_sent_itself_does_not_make_an_order_shipped(
    ctx: Session, sandbox: SandboxServer
) -> None:
    (order,) = submitted(ctx, sandbox, "1")
    # what a DispatchedDate checkout field leaves on a Cin7 order nobody has packed
    sandbox.state.touch_order(order.cin7_id, dispatchedDate="2026-05-01T03:04:05Z")

    report = check(ctx, sandbox)

    assert report == ShipmentReport(checked=1, calls=1)
    assert order.shipped_at is None and order.folder.name == "Submitted"

    sandbox.state.touch_order(order.cin7_id, stage="Dispatched")
    assert check(ctx, sandbox).shipped == (order.id,)
    assert order.shipped_at is not None and order.shipped_at.isoformat().startswith("2026-05-01")


def test_an_order_sent_with_a_dispatched_date_ships_only_when_cin7_says_dispatched(
    ctx: Session, sandbox: SandboxServer
) -> None:
    order = take(ctx, id="1", order_number="#1", checkout={"DispatchedDate": "2026-05-01"})
    submit(ctx, sandbox, order)
    stored = sandbox.state.orders[order.cin7_id]
    # Cin7 takes the date as a dispatch of the order's stock: every line reads shipped.
    assert all(line["qtyShipped"] == line["qty"] for line in stored["lineItems"])

    report = check(ctx, sandbox)

    assert report == ShipmentReport(checked=1, calls=1)
    assert order.shipped_at is None and order.folder.name == "Submitted"

    sandbox.state.touch_order(order.cin7_id, stage="Dispatched")
    assert check(ctx, sandbox).shipped == (order.id,)
    assert order.folder.name == "Shipped"


def test_an_order_whose_lines_all_shipped_counts_as_dispatched(
    ctx: Session, sandbox: SandboxServer
) -> None:
    (order,) = submitted(ctx, sandbox, "1")
    stored = sandbox.state.orders[order.cin7_id]
    lines = [{**line, "qtyShipped": line["qty"]} for line in stored["lineItems"]]
    sandbox.state.touch_order(order.cin7_id, lineItems=lines)

    report = check(ctx, sandbox)

    assert report.shipped == (order.id,)
    assert order.shipped_at is not None and order.folder.name == "Shipped"


def test_a_void_order_moves_to_the_if_canceled_folder(ctx: Session, sandbox: SandboxServer) -> None:
    (order,) = submitted(ctx, sandbox, "1")
    refunds = create_folder(ctx, "Refunds")
    ctx.commit()
    sandbox.state.touch_order(order.cin7_id, isVoid=True, status="VOID")

    report = check(ctx, sandbox, InboxOptions(if_canceled_folder_id=refunds.id))

    assert report.canceled == (order.id,) and order.canceled_at is not None
    assert order.folder.name == "Refunds" and kinds(order)[-2:] == ["canceled", "moved"]


def test_the_after_shipment_folder_is_the_one_chosen(ctx: Session, sandbox: SandboxServer) -> None:
    (order,) = submitted(ctx, sandbox, "1")
    done = create_folder(ctx, "Done")
    ctx.commit()
    dispatch(sandbox.state, order)

    check(ctx, sandbox, InboxOptions(after_shipment_folder_id=done.id))

    assert order.folder.name == "Done"


def test_a_shipment_is_recorded_once_and_then_no_longer_asked_about(
    ctx: Session, sandbox: SandboxServer
) -> None:
    (order,) = submitted(ctx, sandbox, "1")
    dispatch(sandbox.state, order)
    check(ctx, sandbox)
    before = calls(sandbox.state, "GET")

    again = check(ctx, sandbox)

    assert again == ShipmentReport() and calls(sandbox.state, "GET") == before
    assert kinds(order).count("shipped") == 1


def test_orders_are_asked_about_a_page_of_250_per_call(
    ctx: Session, sandbox: SandboxServer
) -> None:
    submitted = default_folder(ctx, DefaultFolder.SUBMITTED)
    ctx.add_all(
        InboxOrder(
            shop="web",
            shop_order_id=str(n),
            reference=f"#{n}",
            source="api",
            source_payload={},
            content_hash=str(n),
            folder_id=submitted.id,
            cin7_id=900_000 + n,  # in Cin7 as far as Station knows, but long gone there
        )
        for n in range(260)
    )
    ctx.commit()

    report = check(ctx, sandbox)

    assert report == ShipmentReport(checked=260, calls=2)
    asked = [r.query for r in sandbox.state.requests if r.method == "GET"]
    assert [(q["rows"], q["where"].count(",") + 1) for q in asked] == [("250", 250), ("250", 10)]


def test_cin7_trouble_records_nothing(ctx: Session, sandbox: SandboxServer) -> None:
    (order,) = submitted(ctx, sandbox, "1")
    dispatch(sandbox.state, order)
    sandbox.state.faults.fail_next(503, count=2)

    with pytest.raises(Cin7Unavailable):
        check(ctx, sandbox)

    ctx.rollback()
    assert order.shipped_at is None and order.folder.name == "Submitted"


def test_the_shipment_check_falls_due_every_five_minutes_by_default(
    app_config: dict[str, Any],
) -> None:
    huey = create_app({**app_config, "JOBS_IMMEDIATE": False}).extensions["station.jobs"].huey
    start = datetime(2026, 5, 1, 23, 0)

    due = [
        start + timedelta(minutes=m)
        for m in range(120)
        if any(
            t.name == "check_inbox_shipments_periodic"
            for t in huey.read_periodic(start + timedelta(minutes=m))
        )
    ]

    assert {later - earlier for earlier, later in pairwise(due)} == {timedelta(minutes=5)}
