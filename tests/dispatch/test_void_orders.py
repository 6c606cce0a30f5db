"""Write-backs owed to an order Station knows is void in Cin7 are cancelled, not sent."""

from __future__ import annotations

from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client
from station.cin7.sandbox import SandboxServer
from station.cin7.selection import OrderSelection
from station.cin7.sync import refresh_order, sync_orders
from station.dispatch.options import DispatchOptions, FreightPush
from station.dispatch.outbox import deliver_outbox
from station.dispatch.void_orders import VOID_NOTE, cancel_for_void_orders, cancelled_for_void
from station.models import OutboxState
from tests.builders import open_orders, puts, ship_sandbox_order
from tests.fakes.clock import Clock

EVERYTHING = OrderSelection(approved_only=False, include_dispatched=True, window_days=3650)
FREIGHT = DispatchOptions(freight_push=FreightPush.COST)


def test_the_sync_cancels_what_is_owed_to_an_order_voided_in_cin7(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    void, good = open_orders(sandbox.state, 2)
    owed_void = ship_sandbox_order(ctx, void, FREIGHT, now=clock.now)
    owed_good = ship_sandbox_order(ctx, good, FREIGHT, now=clock.now)
    ctx.commit()
    sandbox.state.touch_order(void, isVoid=True, status="VOID")

    sync_orders(ctx, cin7, EVERYTHING)

    assert [(i.state, i.last_error) for i in owed_void] == [(OutboxState.CANCELLED, VOID_NOTE)] * 2
    assert {i.state for i in owed_good} == {OutboxState.PENDING}
    deliver_outbox(ctx, cin7, now=clock.later(seconds=1))
    sent = {item["id"] for r in puts(sandbox.state) for item in r.body}
    assert sent == {good}
    assert cancelled_for_void(ctx) == sorted(owed_void, key=lambda i: -i.id)


def test_refreshing_a_void_order_cancels_what_is_owed_to_it(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    [item] = ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)
    sandbox.state.touch_order(cin7_id, isVoid=True, status="VOID")

    refresh_order(ctx, cin7, cin7_id)
    ctx.commit()

    assert (item.state, item.last_error) == (OutboxState.CANCELLED, VOID_NOTE)


def test_a_pass_sends_nothing_for_an_order_known_to_be_void(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    dispatched, freight = ship_sandbox_order(ctx, cin7_id, FREIGHT, now=clock.now)
    dispatched.order.is_void = True  # as a sync stored it
    ctx.commit()

    result = deliver_outbox(ctx, cin7, now=clock.later(seconds=1))

    assert result.calls == 0 and puts(sandbox.state) == []
    assert {dispatched.state, freight.state} == {OutboxState.CANCELLED}


def test_what_was_sent_or_is_being_sent_is_left_alone(ctx: Session, sandbox: SandboxServer) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    dispatched, freight = ship_sandbox_order(ctx, cin7_id, FREIGHT, now=clock.now)
    dispatched.state, freight.state = OutboxState.DONE, OutboxState.SENDING
    dispatched.order.is_void = True
    ctx.commit()

    assert cancel_for_void_orders(ctx) == 0
    assert (dispatched.state, freight.state) == (OutboxState.DONE, OutboxState.SENDING)
