"""Write-backs Cin7 refuses, against the strict sandbox: the person sees Cin7's sentence.

Station's own payloads pass what Cin7 checks (no read-only fields, freight a number);
an order voided in Cin7 after it was packed is refused, and the item says so.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client
from station.cin7.sandbox import SandboxServer
from station.dispatch.options import DispatchOptions, FreightPush
from station.dispatch.outbox import deliver_outbox
from station.models import OutboxState, Printer
from station.printing.queue import drain_printer
from station.printing.transports import transport_for
from tests.builders import open_orders, ship_sandbox_order
from tests.fakes.clock import Clock


def test_an_order_voided_in_cin7_is_refused_with_cin7s_sentence(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    voided, kept = open_orders(sandbox.state, 2)
    (refused,) = ship_sandbox_order(ctx, voided, DispatchOptions(), now=clock.now)
    (sent,) = ship_sandbox_order(ctx, kept, DispatchOptions(), now=clock.now)
    sandbox.state.touch_order(voided, isVoid=True, status="VOID")

    deliver_outbox(ctx, cin7, now=clock.later(seconds=1))

    assert refused.state == OutboxState.FAILED and sent.state == OutboxState.DONE
    assert refused.last_error == (
        f"Cin7 refused this update: Sales order {voided} is void and cannot be updated."
    )
    assert sandbox.state.orders[voided]["stage"] != "Dispatched"
    assert sandbox.state.orders[kept]["stage"] == "Dispatched"


def test_station_s_dispatch_and_freight_updates_pass_cin7s_checks(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    dispatched, freight = ship_sandbox_order(
        ctx, cin7_id, DispatchOptions(freight_push=FreightPush.COST), now=clock.now
    )
    deliver_outbox(ctx, cin7, now=clock.later(seconds=1))
    printer = ctx.scalars(select(Printer)).one()
    drain_printer(ctx, printer, transport_for(printer))

    deliver_outbox(ctx, cin7, now=clock.later(seconds=1))

    assert (dispatched.state, freight.state) == (OutboxState.DONE, OutboxState.DONE), (
        dispatched.last_error,
        freight.last_error,
    )
    stored = sandbox.state.orders[cin7_id]["freightTotal"]
    assert isinstance(stored, (int, float)) and not isinstance(stored, bool)
    assert Decimal(str(stored)) == Decimal(str(freight.payload["freightTotal"]))
