"""Orders a rule submits on import, posted one request at a time, go to Cin7 in one run.

The burst queues one pass per request; the passes after the first find the orders
already taken, made or refused, and send nothing again.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.inbox.tokens import create_token
from station.jobs import jobs
from station.models import InboxEventKind, InboxOrder
from tests.inbox.builders import rule
from tests.inbox.samples import order_json

ORDERS = 30
BAD = 7  # this one names a SKU Cin7 does not have


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "JOBS_IMMEDIATE": False}  # a real queue: tasks wait for a consumer


def queued_names() -> list[str]:
    """The tasks waiting in the queue (huey keeps a delayed task there until it is due)."""
    return [task.name for task in jobs().huey.pending()]


def run_queue() -> None:
    """Do what a consumer would: each task in turn, whatever its delay, and what it queues."""
    huey = jobs().huey
    while (task := huey.dequeue()) is not None:
        huey.execute(task, timestamp=task.eta)  # as if its delay had passed


def test_a_burst_of_imports_a_rule_submits_shares_one_run(
    app: Flask, client: FlaskClient, sandbox: SandboxServer
) -> None:
    with app.app_context():
        rule(db.session, "imported", [("submit", "")], name="send everything")
        token = create_token(db.session, name="Web shop", shop="web").token
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    for n in range(ORDERS):
        body = order_json(id=f"B{n}", order_number=f"#B{n}")
        if n == BAD:
            body["lines"] = [{"sku": "NOT-IN-CIN7", "name": "Gone", "quantity": 1}]
        assert client.post("/api/v1/orders", json=body, headers=headers).status_code == 201
    with app.app_context():
        waiting = queued_names()
        delays = {task.eta is not None for task in jobs().huey.pending()}
        run_queue()
        orders = db.session.scalars(select(InboxOrder).order_by(InboxOrder.id)).all()
        cin7_ids = [order.cin7_id for order in orders]
        scheduled = [order.scheduled_at for order in orders]
        refusals = [e.kind for o in orders for e in o.events if e.kind.startswith("not_")]

    # no run per request: each asked for a pass a moment later
    assert waiting == ["submit_scheduled_inbox"] * ORDERS and delays == {True}
    assert len(orders) == ORDERS and cin7_ids[BAD] is None
    sent = cin7_ids[:BAD] + cin7_ids[BAD + 1 :]
    assert None not in sent and len(set(sent)) == ORDERS - 1
    assert scheduled == [None] * ORDERS
    # the passes queued after the first found the bad order refused, and left it alone
    assert refusals == [InboxEventKind.NOT_SUBMITTED_INVALID_SKU]
    paths = [(r.method, r.path.rsplit("/", 1)[-1]) for r in sandbox.state.api_calls()]
    assert sorted(paths) == [("GET", "ProductOptions"), ("POST", "SalesOrders")], paths
