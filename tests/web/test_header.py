"""Every page's header: the Cin7 link and what waits for a person, asked in one statement."""

from __future__ import annotations

import uuid
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station.db import utcnow
from station.extensions import db
from station.inbox.intake import take_order
from station.inbox.orders import read_order
from station.models import (
    Cin7CallDay,
    InboxSource,
    InboxWebhook,
    OutboxItem,
    OutboxKind,
    OutboxState,
    SetAsideOrder,
    SyncRun,
)
from station.ops.statements import counting_statements
from tests.builders import add_order
from tests.conftest import AuthActions
from tests.inbox.samples import order_json

pytestmark = pytest.mark.both_databases  # one SELECT of scalar subqueries, on both dialects


@pytest.fixture
def manager(app: Flask, client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


def waiting_for_a_person(app: Flask) -> None:
    """Two failed write-backs (and one pending), a failed webhook, an order set aside."""
    with app.app_context():
        order = add_order(db.session)
        for key, state in (("a", OutboxState.FAILED), ("b", OutboxState.FAILED), ("c", None)):
            db.session.add(
                OutboxItem(
                    kind=OutboxKind.DISPATCHED,
                    state=state or OutboxState.PENDING,
                    dedupe_key=key,
                    order_id=order.id,
                    payload={},
                )
            )
        draft = read_order(order_json())
        inbox_order = take_order(
            db.session, draft, shop="web", source=InboxSource.API, payload={}, now=utcnow()
        ).order
        db.session.flush()
        db.session.add(
            InboxWebhook(
                order_id=inbox_order.id,
                queued_by="rule: Big",
                url="http://127.0.0.1:9/hook",
                delivery_id=str(uuid.uuid4()),
                payload={},
                state=OutboxState.FAILED,
            )
        )
        db.session.add(
            SetAsideOrder(cin7_id=9, reference="SO-9", reason="no lines", cin7_modified=utcnow())
        )
        db.session.commit()


def test_needs_attention_counts_failed_writebacks_webhooks_and_orders_set_aside(
    app: Flask, manager: FlaskClient
) -> None:
    waiting_for_a_person(app)

    page = manager.get("/account").get_data(as_text=True)

    assert 'Needs attention <span class="badge">4</span>' in page


def test_the_cin7_figures_are_todays_calls_the_last_good_sync_and_the_last_failure(
    app: Flask, manager: FlaskClient
) -> None:
    now = utcnow()
    with app.app_context():
        db.session.add(Cin7CallDay(day=now.date(), calls=1234, throttled=5, failed=0))
        db.session.add(Cin7CallDay(day=(now - timedelta(days=1)).date(), calls=4999))
        for hours_ago, error in ((3, None), (2, None), (1, "Cin7 answered 500")):
            started = now - timedelta(hours=hours_ago)
            db.session.add(
                SyncRun(
                    kind="full",
                    trigger="schedule",
                    started_at=started,
                    finished_at=started + timedelta(minutes=1),
                    error=error,
                )
            )
        db.session.commit()

    page = manager.get("/account").get_data(as_text=True)

    assert "Cin7 calls today: <strong>1,234</strong> / 5,000" in page
    assert 'title="Cin7 answered 500">Last sync failed' in page
    good = now - timedelta(hours=2) + timedelta(minutes=1)  # the newest run that went well
    shown = good.astimezone(ZoneInfo("Pacific/Auckland")).strftime("%Y-%m-%d %H:%M:%S")
    assert f"{shown}</time>" in page
    assert "Syncing" not in page


def test_the_header_is_one_statement(app: Flask, manager: FlaskClient) -> None:
    waiting_for_a_person(app)
    manager.get("/account")  # the session's first request loads what is loaded once
    with app.app_context():
        engine = db.engine

    with counting_statements(engine) as log:
        page = manager.get("/account")

    assert page.status_code == 200
    figures = ("cin7_call_day", "sync_run", "outbox_item", "inbox_webhook", "set_aside_order")
    header = [sql for sql in log.statements if any(table in sql for table in figures)]
    assert len(header) == 1, log.describe()
    assert "Needs attention" in page.get_data(as_text=True)
