"""Voiding: the carrier voids, unprinted labels and unsent write-backs are withdrawn."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.carriers.errors import VoidRefused
from station.cin7.client import Cin7Client
from station.cin7.sandbox import SandboxServer
from station.dispatch.options import DispatchOptions, FreightPush
from station.dispatch.outbox import deliver_outbox
from station.dispatch.void import void_consignment
from station.models import ConsignmentState, JobState, OutboxItem, OutboxState, PrintJob
from tests.builders import open_orders, ship_sandbox_order
from tests.fakes.clock import Clock


def test_a_void_before_delivery_withdraws_the_label_and_cancels_every_writeback(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    items = ship_sandbox_order(
        ctx, cin7_id, DispatchOptions(freight_push=FreightPush.COST), now=clock.now
    )
    consignment = items[0].consignment
    assert consignment is not None

    voided = void_consignment(ctx, consignment, now=clock.later(minutes=5))
    delivered = deliver_outbox(ctx, cin7, now=clock.later(minutes=1))

    assert consignment.state == ConsignmentState.VOIDED and consignment.voided_at is not None
    assert (voided.labels_withdrawn, voided.writebacks_cancelled, voided.not_undone) == (1, 2, [])
    assert ctx.scalars(select(PrintJob.state)).all() == [JobState.FAILED]
    assert set(ctx.scalars(select(OutboxItem.state))) == {OutboxState.CANCELLED}
    assert delivered.calls == 0 and sandbox.state.orders[cin7_id]["stage"] != "Dispatched"


def test_a_void_after_cin7_was_updated_says_what_to_put_right(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    items = ship_sandbox_order(
        ctx, cin7_id, DispatchOptions(freight_push=FreightPush.COST), now=clock.now
    )
    deliver_outbox(ctx, cin7, now=clock.later(seconds=1))  # Dispatched sent; freight waits
    consignment = items[0].consignment
    assert consignment is not None

    voided = void_consignment(ctx, consignment, now=clock.later(minutes=5))

    assert voided.writebacks_cancelled == 1  # the freight push
    [note] = voided.not_undone
    assert note.startswith(f"Cin7 already shows SO-{cin7_id} as Dispatched")


def test_a_consignment_is_voided_once(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    consignment = ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)[0].consignment
    assert consignment is not None
    void_consignment(ctx, consignment, now=clock.later(minutes=1))

    with pytest.raises(VoidRefused, match="is voided"):
        void_consignment(ctx, consignment, now=clock.later(minutes=1))


def test_a_void_after_the_window_is_refused_and_changes_nothing(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    consignment = ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)[0].consignment
    assert consignment is not None

    with pytest.raises(VoidRefused, match="within 24 h"):
        void_consignment(ctx, consignment, now=clock.later(hours=30))
    ctx.rollback()

    assert consignment.state == ConsignmentState.CREATED
    assert set(ctx.scalars(select(OutboxItem.state))) == {OutboxState.PENDING}
