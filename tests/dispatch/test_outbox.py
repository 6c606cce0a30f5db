"""Delivering write-backs to the Cin7 sandbox over HTTP: batched, per item, once."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client
from station.cin7.sandbox import SandboxServer
from station.cin7.trigger import ShopifyTrigger
from station.dispatch.options import DispatchOptions, FreightPush
from station.dispatch.outbox import MAX_ATTEMPTS, deliver_outbox, needs_attention, retry_item
from station.extensions import db
from station.models import OutboxItem, OutboxKind, OutboxState, Printer
from station.printing.queue import drain_printer
from station.printing.transports import transport_for
from tests.builders import open_orders, puts, ship_sandbox_order
from tests.dispatch.conftest import connect
from tests.fakes.cin7 import shopify_template
from tests.fakes.clock import Clock


def test_many_orders_go_in_one_put_and_are_never_sent_again(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    ids = open_orders(sandbox.state, 5)
    for cin7_id in ids:
        ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)

    first = deliver_outbox(ctx, cin7, now=clock.later(seconds=1))
    second = deliver_outbox(ctx, cin7, now=clock.later(minutes=10))

    assert (first.done, first.calls, second.calls) == (5, 1, 0), [
        (i.state, i.attempts, i.last_error, i.next_attempt_at)
        for i in ctx.scalars(select(OutboxItem))
    ]
    assert len(puts(sandbox.state)) == 1 and len(puts(sandbox.state)[0].body) == 5
    for cin7_id in ids:
        remote = sandbox.state.orders[cin7_id]
        assert remote["stage"] == "Dispatched"
        assert remote["trackingCode"].startswith("https://track.example.com/ON")


def test_a_refused_item_needs_attention_at_once_then_retries_on_request(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    good, bad = open_orders(sandbox.state, 2)
    for cin7_id in (good, bad):
        ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)
    sandbox.state.faults.fail_items(bad, message="Stage 'Dispatched' is locked")

    for _ in range(MAX_ATTEMPTS):
        deliver_outbox(ctx, cin7, now=clock.later(hours=2))

    [failed] = needs_attention(ctx)
    assert failed.order.cin7_id == bad and failed.attempts == 1
    assert failed.last_error == "Cin7 refused this update: Stage 'Dispatched' is locked"
    assert sandbox.state.orders[good]["stage"] == "Dispatched"
    sent = [item["id"] for r in puts(sandbox.state) for item in r.body]
    assert sorted(sent) == sorted([good, bad])  # the refused one was not sent again

    sandbox.state.faults.clear()
    retry_item(ctx, failed, now=clock.now)
    ctx.commit()
    result = deliver_outbox(ctx, cin7, now=clock.later(seconds=1))
    assert result.done == 1 and sandbox.state.orders[bad]["stage"] == "Dispatched"


def test_an_outage_puts_the_batch_back_without_spending_attempts(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)
    sandbox.state.faults.fail_next(503, count=2)

    down = deliver_outbox(ctx, cin7, now=clock.later(seconds=1))
    item = ctx.scalars(select(OutboxItem)).one()
    assert down.retrying == 1 and item.attempts == 0 and "503" in (item.last_error or "")

    up = deliver_outbox(ctx, cin7, now=clock.later(hours=1))
    assert up.done == 1 and sandbox.state.orders[cin7_id]["stage"] == "Dispatched"


def test_freight_waits_for_the_label_and_shopify_for_the_dispatched_update(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    options = DispatchOptions(freight_push=FreightPush.COST, shopify_link_id="abc123")
    dispatched, freight, shopify = ship_sandbox_order(ctx, cin7_id, options, now=clock.now)

    deliver_outbox(ctx, cin7, now=clock.later(seconds=1))
    assert [dispatched.state, freight.state, shopify.state] == [
        OutboxState.DONE,
        OutboxState.PENDING,  # the label has not printed yet
        OutboxState.PENDING,  # it was not due until the Dispatched update was done
    ]
    assert sandbox.state.orders[cin7_id]["freightTotal"] in (None, 0, "0", 0.0)

    printer = ctx.scalars(select(Printer)).one()
    drain_printer(ctx, printer, transport_for(printer))
    trigger = ShopifyTrigger(shopify_template(sandbox), "abc123", allow_private=True)
    deliver_outbox(ctx, cin7, now=clock.later(seconds=1), trigger=trigger)

    assert freight.state == OutboxState.DONE and shopify.state == OutboxState.DONE
    assert float(sandbox.state.orders[cin7_id]["freightTotal"]) == float(
        freight.payload["freightTotal"]
    )
    assert sandbox.state.shopify_hits == [
        {"link_id": "abc123", "order_id": cin7_id, "t": sandbox.state.shopify_hits[0]["t"]}
    ]


@pytest.mark.both_databases
def test_two_workers_delivering_at_once_send_each_item_once(
    app: Flask, ctx: Session, sandbox: SandboxServer
) -> None:
    clock = Clock()
    ids = open_orders(sandbox.state, 12)
    for cin7_id in ids:
        ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)
    ctx.remove()
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with app.app_context(), connect(sandbox) as client:
                start.wait()
                deliver_outbox(db.session, client, now=clock.now + timedelta(seconds=1))
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    sent = [item["id"] for r in puts(sandbox.state) for item in r.body]
    assert sorted(sent) == sorted(ids)
    states = ctx.scalars(select(OutboxItem.state)).all()
    assert states == [OutboxState.DONE] * 12


def test_only_due_kinds_are_recorded_for_the_options(ctx: Session, sandbox: SandboxServer) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)

    items = ship_sandbox_order(
        ctx, cin7_id, DispatchOptions(freight_push=FreightPush.COST), now=clock.now
    )

    assert [item.kind for item in items] == [OutboxKind.DISPATCHED, OutboxKind.FREIGHT]


def _cut_off_mid_send(ctx: Session, item: OutboxItem, clock: Clock) -> None:
    """As a worker killed while its PUT was out: the item stays 'sending', long ago."""
    item.state, item.next_attempt_at = OutboxState.SENDING, clock.now - timedelta(hours=1)
    ctx.commit()


@pytest.mark.parametrize("cin7_applied_it", [True, False])
def test_an_update_cut_off_mid_send_is_checked_in_cin7_not_sent_twice(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer, cin7_applied_it: bool
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    [item] = ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)
    if cin7_applied_it:
        cin7.update_sales_orders([item.payload])  # the dead worker's PUT got through
    _cut_off_mid_send(ctx, item, clock)

    result = deliver_outbox(ctx, cin7, now=clock.later(seconds=1))

    assert result.done == 1 and item.state == OutboxState.DONE and not item.uncertain
    assert len(puts(sandbox.state)) == 1  # the first PUT, or the one after the check
    assert sandbox.state.orders[cin7_id]["stage"] == "Dispatched"
    checks = [r for r in sandbox.state.api_calls() if r.method == "GET"]
    assert len(checks) == 1 and "IN" in checks[0].query.get("where", "")


def test_a_sending_item_within_its_lease_is_left_to_its_worker(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    [item] = ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)
    item.state, item.next_attempt_at = OutboxState.SENDING, clock.now
    ctx.commit()

    result = deliver_outbox(ctx, cin7, now=clock.later(seconds=30))

    assert result.calls == 0 and item.state == OutboxState.SENDING
