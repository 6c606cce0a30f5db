"""The Shopify trigger as a manager sees it: the order page's write-back panel and Needs attention.

The outbox job runs as in production (``run_outbox``): the template comes from
STATION_CIN7_SHOPIFY_TRIGGER_URL, the link id from Settings → Shipping, and Cin7's web
app is a real HTTP listener.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

from station import create_app
from station.cin7.sandbox import SandboxServer
from station.cin7.trigger import SIGN_IN
from station.db import utcnow
from station.dispatch.jobs import run_outbox
from station.dispatch.options import DispatchOptions, save_options
from station.dispatch.outbox import MAX_ATTEMPTS
from station.extensions import db
from station.models import OutboxItem, OutboxKind, OutboxState
from station.settings import settings_store
from tests.builders import open_orders, ship_sandbox_order
from tests.conftest import AuthActions
from tests.fakes.cin7 import sandbox_config
from tests.fakes.cin7_web import SIGN_IN as SIGN_IN_REDIRECT
from tests.fakes.cin7_web import Cin7WebApp, cin7_web


@pytest.fixture
def sandbox_orders() -> int:
    return 3


@pytest.fixture
def web() -> Iterator[Cin7WebApp]:
    with cin7_web() as app:
        yield app


def station(app_config: dict[str, Any], sandbox: SandboxServer, template: str) -> Flask:
    return create_app(
        {**app_config, **sandbox_config(sandbox), "CIN7_SHOPIFY_TRIGGER_URL": template}
    )


def shipped_order(app: Flask, sandbox: SandboxServer) -> tuple[int, int]:
    """An order shipped with the trigger on and its Dispatched update delivered: (order, item)."""
    with app.app_context():
        save_options(settings_store(db.session), DispatchOptions(shopify_link_id="abc123"))
        [cin7_id] = open_orders(sandbox.state, 1)
        items = ship_sandbox_order(
            db.session,
            cin7_id,
            DispatchOptions(shopify_link_id="abc123"),
            now=utcnow() - timedelta(minutes=1),
        )
        db.session.commit()
        [trigger] = [i for i in items if i.kind == OutboxKind.SHOPIFY]
        ids = trigger.order_id, trigger.id
        run_outbox()  # the Dispatched update; the trigger waits for it
    return ids


def make_due(app: Flask, item_id: int) -> None:
    """Move the item's next attempt to now (as the backoff's wait passing would)."""
    with app.app_context():
        db.session.execute(
            update(OutboxItem).where(OutboxItem.id == item_id).values(next_attempt_at=utcnow())
        )
        db.session.commit()


def row(page: str, item_id: int) -> str:
    match = re.search(rf'<tr id="writeback-{item_id}">(.*?)</tr>', page, re.S)
    assert match, page
    return match.group(1)


def attempts(page: str, item_id: int) -> int:
    return int(re.findall(r'<td class="num">(\d+)</td>', row(page, item_id))[0])


def test_a_sign_in_redirect_goes_to_needs_attention_after_one_call(
    app_config: dict[str, Any], sandbox: SandboxServer, web: Cin7WebApp
) -> None:
    app = station(app_config, sandbox, web.template())
    web.default = SIGN_IN_REDIRECT
    order_id, item_id = shipped_order(app, sandbox)
    with app.app_context():
        run_outbox()
    client = app.test_client()
    AuthActions(app, client).login()

    order = client.get(f"/orders/{order_id}").get_data(as_text=True)
    attention = client.get("/outbox").get_data(as_text=True)

    assert web.links() == ["abc123"]
    assert "writeback-failed" in row(order, item_id) and attempts(order, item_id) == 1
    assert SIGN_IN in row(order, item_id) and "Needs attention" in row(order, item_id)
    assert SIGN_IN in row(attention, item_id)


def test_an_unreachable_link_counts_each_attempt_then_needs_attention(
    app_config: dict[str, Any], sandbox: SandboxServer
) -> None:
    with socket.socket() as closed:  # a port nobody listens on
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    app = station(app_config, sandbox, f"http://127.0.0.1:{port}/x?l={{link_id}}&o={{order_id}}")
    order_id, item_id = shipped_order(app, sandbox)
    client = app.test_client()
    AuthActions(app, client).login()

    with app.app_context():
        run_outbox()
    first = client.get(f"/orders/{order_id}").get_data(as_text=True)
    for _ in range(MAX_ATTEMPTS * 2):
        make_due(app, item_id)
        with app.app_context():
            run_outbox()
    last = client.get(f"/orders/{order_id}").get_data(as_text=True)

    assert attempts(first, item_id) == 1 and "retrying at" in row(first, item_id)
    assert attempts(last, item_id) == MAX_ATTEMPTS and "writeback-failed" in row(last, item_id)
    assert "Could not reach 127.0.0.1" in row(last, item_id)
    with app.app_context():
        item = db.session.scalars(select(OutboxItem).where(OutboxItem.id == item_id)).one()
        assert item.state == OutboxState.FAILED
    assert "writeback-failed" in client.get("/orders").get_data(as_text=True)


def test_a_delivered_trigger_leaves_the_order_synced(
    app_config: dict[str, Any], sandbox: SandboxServer, web: Cin7WebApp
) -> None:
    app = station(app_config, sandbox, web.template())
    order_id, item_id = shipped_order(app, sandbox)
    with app.app_context():
        run_outbox()
    client = app.test_client()
    AuthActions(app, client).login()

    order = client.get(f"/orders/{order_id}").get_data(as_text=True)

    # one attempt, counted when it was claimed (station.queue), as webhooks and print jobs count
    assert "writeback-done" in row(order, item_id) and attempts(order, item_id) == 1
    assert web.links() == ["abc123"]
