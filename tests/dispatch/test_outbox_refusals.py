"""What Cin7 refuses is not sent again; what failed on the way is; decimals go out as numbers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client
from station.cin7.sandbox import SandboxServer
from station.dispatch.options import DispatchOptions, FreightPush
from station.dispatch.outbox import deliver_outbox, needs_attention
from station.models import OutboxState, Printer
from station.printing.queue import drain_printer
from station.printing.transports import transport_for
from tests.builders import open_orders, puts, ship_sandbox_order
from tests.fakes.clock import Clock


def _deliver_for(ctx: Session, cin7: Cin7Client, clock: Clock, minutes: int) -> None:
    """Run a pass every minute for ``minutes`` minutes (every retry comes due meanwhile)."""
    for _ in range(minutes):
        deliver_outbox(ctx, cin7, now=clock.later(minutes=1))


def test_an_update_to_an_order_voided_in_cin7_fails_once_with_cin7s_message(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    void, good = open_orders(sandbox.state, 2)
    for cin7_id in (void, good):
        ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)
    sandbox.state.touch_order(void, isVoid=True, status="VOID")  # voided in Cin7 meanwhile

    _deliver_for(ctx, cin7, clock, 20)

    [failed] = needs_attention(ctx)
    assert failed.order.cin7_id == void and failed.attempts == 1
    assert failed.last_error == (
        f"Cin7 refused this update: Sales order {void} is void and cannot be updated."
    )
    sent = [item["id"] for r in puts(sandbox.state) for item in r.body]
    assert sorted(sent) == sorted([void, good])  # one PUT each, none repeated


def test_an_unknown_order_id_fails_once(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    [item] = ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)
    del sandbox.state.orders[cin7_id]  # deleted in Cin7

    _deliver_for(ctx, cin7, clock, 20)

    assert item.state == OutboxState.FAILED and item.attempts == 1
    assert item.last_error == f"Cin7 refused this update: Sales order {cin7_id} was not found."
    assert len(puts(sandbox.state)) == 1


@pytest.mark.parametrize("fault", ["500", "429", "malformed"])
def test_a_call_that_failed_on_the_way_is_sent_again(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer, fault: str
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    [item] = ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)
    if fault == "malformed":
        sandbox.state.faults.malformed_next(count=1)
    else:
        sandbox.state.faults.fail_next(int(fault), count=2)  # both of the client's attempts

    first = deliver_outbox(ctx, cin7, now=clock.later(seconds=1))
    assert first.retrying == 1 and item.state == OutboxState.PENDING

    _deliver_for(ctx, cin7, clock, 60)
    assert item.state == OutboxState.DONE
    assert sandbox.state.orders[cin7_id]["stage"] == "Dispatched"


def test_freight_goes_out_as_a_json_number(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    options = DispatchOptions(freight_push=FreightPush.COST)
    dispatched, freight = ship_sandbox_order(ctx, cin7_id, options, now=clock.now)
    printer = ctx.scalars(select(Printer)).one()
    drain_printer(ctx, printer, transport_for(printer))

    deliver_outbox(ctx, cin7, now=clock.later(seconds=1))
    deliver_outbox(ctx, cin7, now=clock.later(seconds=1))

    assert freight.state == OutboxState.DONE
    [sent] = [i for r in puts(sandbox.state) for i in r.body if "freightTotal" in i]
    assert isinstance(sent["freightTotal"], float) and sent["freightTotal"] > 0
    assert sent["freightTotal"] == float(freight.consignment.cost)


def test_freight_recorded_as_text_before_still_goes_out_as_a_number(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    options = DispatchOptions(freight_push=FreightPush.COST)
    dispatched, freight = ship_sandbox_order(ctx, cin7_id, options, now=clock.now)
    freight.payload = {**freight.payload, "freightTotal": "12.50"}  # as older versions kept it
    freight.consignment_id = None  # no label to wait for
    dispatched.state = OutboxState.DONE
    ctx.commit()

    deliver_outbox(ctx, cin7, now=clock.later(seconds=1))

    assert freight.state == OutboxState.DONE
    [sent] = [i for r in puts(sandbox.state) for i in r.body]
    assert sent["freightTotal"] == 12.5


def test_a_cut_off_freight_push_recorded_as_text_is_recognised_in_cin7(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    options = DispatchOptions(freight_push=FreightPush.COST)
    dispatched, freight = ship_sandbox_order(ctx, cin7_id, options, now=clock.now)
    sandbox.state.orders[cin7_id]["freightTotal"] = 12.5  # the dead worker's PUT got through
    freight.payload = {**freight.payload, "freightTotal": "12.50"}
    freight.consignment_id = None
    dispatched.state = OutboxState.DONE
    freight.state, freight.next_attempt_at = OutboxState.SENDING, clock.now - timedelta(hours=1)
    ctx.commit()

    deliver_outbox(ctx, cin7, now=clock.later(seconds=1))

    assert freight.state == OutboxState.DONE and puts(sandbox.state) == []
