"""A consignment's timeline: every step from the scan to Shopify, in order, with timings."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client
from station.cin7.sandbox import SandboxServer
from station.cin7.trigger import ShopifyTrigger
from station.dispatch.options import DispatchOptions, FreightPush
from station.dispatch.outbox import deliver_outbox
from station.dispatch.timeline import order_history, timeline
from station.models import Printer
from station.printing.queue import drain_printer
from station.printing.transports import transport_for
from tests.builders import open_orders, ship_sandbox_order
from tests.fakes.cin7 import shopify_template
from tests.fakes.clock import Clock


def test_the_timeline_runs_from_scan_to_shopify(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    options = DispatchOptions(freight_push=FreightPush.COST, shopify_link_id="abc")
    items = ship_sandbox_order(ctx, cin7_id, options, now=clock.now)
    consignment = items[0].consignment
    assert consignment is not None
    consignment.scanned_at = clock.now - timedelta(seconds=2)
    ctx.commit()
    deliver_outbox(ctx, cin7, now=clock.later(seconds=1))
    printer = ctx.scalars(select(Printer)).one()
    drain_printer(ctx, printer, transport_for(printer))
    trigger = ShopifyTrigger(shopify_template(sandbox), "abc", allow_private=True)
    deliver_outbox(ctx, cin7, now=clock.later(seconds=1), trigger=trigger)

    steps = timeline(ctx, consignment)

    labels = [step.label for step in steps]
    assert labels[0] == "Scanned at the bench"
    assert set(labels) >= {
        "Checks passed, consignment recorded",
        "Booked with the carrier",
        "Label rendered and queued",
        "Label sent to the printer",
        "Cin7 order marked Dispatched",
        "Freight pushed to Cin7",
        "Shopify trigger called",
    }
    assert [s.at for s in steps] == sorted(s.at for s in steps)
    assert all(s.since_scan is not None and s.since_scan >= 0 for s in steps)
    [history] = order_history(ctx, consignment.order_id or 0)
    assert history.consignment.id == consignment.id and len(history.writebacks) == 3
