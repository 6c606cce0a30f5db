"""A pass keeps its claims while it runs, however long a call takes; a dead one's lapse fast."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client
from station.cin7.sandbox import SandboxServer
from station.db import utcnow
from station.dispatch.options import DispatchOptions
from station.dispatch.outbox import SENDING_LEASE, DeliveryResult, deliver_outbox
from station.dispatch.outbox_claims import OutboxClaims
from station.extensions import db
from station.models import OutboxItem, OutboxState
from tests.builders import open_orders, puts, ship_sandbox_order
from tests.dispatch.conftest import connect
from tests.fakes.clock import Clock

pytestmark = pytest.mark.both_databases  # row locks and concurrent passes

LEASE = timedelta(seconds=1)


def test_a_pass_slower_than_the_lease_keeps_its_claims(
    app: Flask, ctx: Session, sandbox: SandboxServer
) -> None:
    ids = open_orders(sandbox.state, 3)
    for cin7_id in ids:
        ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=utcnow())
    ctx.commit()
    ctx.remove()
    sandbox.state.faults.slow_next(4 * LEASE.total_seconds())  # the PUT: Cin7 on a bad day
    results: list[DeliveryResult] = []
    errors: list[BaseException] = []

    def slow_pass() -> None:
        try:
            with app.app_context(), connect(sandbox) as client:
                results.append(
                    deliver_outbox(db.session, client, now=utcnow(), lease=LEASE, clock=utcnow)
                )
        except BaseException as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)

    first = threading.Thread(target=slow_pass)
    first.start()
    others: list[DeliveryResult] = []
    with app.app_context(), connect(sandbox) as client:
        for _ in range(100):  # until the first pass has claimed them all
            if _sending() == len(ids) or not first.is_alive():
                break
            first.join(timeout=0.05)
        while first.is_alive():  # other workers' passes meanwhile: none may take them over
            others.append(deliver_outbox(db.session, client, now=utcnow(), lease=LEASE))
            first.join(timeout=0.2)
        db.session.remove()

    assert errors == [] and [r.done for r in results] == [3]
    assert len(others) > 5 and sum(r.calls for r in others) == 0
    sent = Counter(item["id"] for r in puts(sandbox.state) for item in r.body)
    assert sent == Counter({i: 1 for i in ids})


def _sending() -> int:
    """How many items are claimed right now (read in a fresh transaction)."""
    count = db.session.scalar(select(func.count()).where(OutboxItem.state == OutboxState.SENDING))
    db.session.rollback()
    return count or 0


@pytest.mark.parametrize(("unrenewed_for", "recovered"), [(20, False), (31, True)])
def test_a_dead_workers_items_are_sent_again_once_the_30_s_lease_lapses(
    ctx: Session, cin7: Cin7Client, sandbox: SandboxServer, unrenewed_for: int, recovered: bool
) -> None:
    clock = Clock()
    [cin7_id] = open_orders(sandbox.state, 1)
    [item] = ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)
    item.state, item.next_attempt_at = OutboxState.SENDING, clock.now
    ctx.commit()

    deliver_outbox(ctx, cin7, now=clock.later(seconds=unrenewed_for))

    assert timedelta(seconds=30) == SENDING_LEASE
    assert (item.state == OutboxState.DONE) is recovered
    assert (sandbox.state.orders[cin7_id]["stage"] == "Dispatched") is recovered


def test_a_claim_another_pass_took_over_is_lost_not_renewed(
    ctx: Session, sandbox: SandboxServer
) -> None:
    clock = Clock()
    mine, taken = (
        ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)[0]
        for cin7_id in open_orders(sandbox.state, 2)
    )
    for item in (mine, taken):
        item.state, item.next_attempt_at = OutboxState.SENDING, clock.now
    ctx.commit()
    claims = OutboxClaims(
        ctx.get_bind().engine, [mine.id, taken.id], stamp=clock.now, clock=lambda: clock.now
    )
    taken.next_attempt_at = clock.later(seconds=40)  # its lease lapsed; another pass has it
    ctx.commit()

    assert claims.renew() == {mine.id}
    assert claims.lost == {taken.id} and claims.open() == [mine.id]
    ctx.refresh(mine)
    assert mine.next_attempt_at == clock.now.replace(tzinfo=mine.next_attempt_at.tzinfo)
