"""Asking Cin7 why an order is missing, and starting a sync, from the order list."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.cin7.sandbox import SandboxServer, SandboxState
from station.extensions import db
from station.models import SalesOrder, SyncRun
from tests.conftest import AuthActions
from tests.fakes.cin7 import sandbox_config


@pytest.fixture
def sandbox_orders() -> int:
    return 60


@pytest.fixture
def app_config(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
    return {**app_config, **sandbox_config(sandbox)}


@pytest.fixture
def signed_in(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


def test_sync_now_brings_the_orders_in(app: Flask, signed_in: FlaskClient) -> None:
    response = signed_in.post("/orders/sync", follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Order sync started" in page
    with app.app_context():
        run = db.session.scalar(select(SyncRun))
        count = len(db.session.scalars(select(SalesOrder.id)).all())
    assert run is not None and run.trigger == "manual" and run.succeeded
    assert f"{count} orders" in signed_in.get("/orders").get_data(as_text=True)
    assert "Never" not in page


def test_asking_why_a_void_order_is_missing(
    signed_in: FlaskClient, sandbox_state: SandboxState
) -> None:
    order_id, raw = next(iter(sandbox_state.orders.items()))
    sandbox_state.touch_order(order_id, isVoid=True, status="VOID")

    search = signed_in.get(f"/orders?q={raw['reference']}").get_data(as_text=True)
    answer = signed_in.get(
        f"/orders/why-missing?q={raw['reference']}", headers={"HX-Request": "true"}
    )

    assert "Ask Cin7 why" in search
    assert f"{raw['reference']} is void in Cin7." in answer.get_data(as_text=True)


def test_the_day_cin7_dispatched_a_missing_order_is_the_sites_day(
    app: Flask, signed_in: FlaskClient, sandbox_state: SandboxState
) -> None:
    order_id, raw = next(iter(sandbox_state.orders.items()))
    sandbox_state.touch_order(
        order_id, dispatchedDate="2026-12-06T12:00:00Z", status="APPROVED", isApproved=True
    )
    app.config["TIMEZONE"] = "Pacific/Auckland"  # 01:00 on the 7th there

    answer = signed_in.get(
        f"/orders/why-missing?q={raw['reference']}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)

    assert f"{raw['reference']} was already dispatched in Cin7 on 2026-12-07." in answer


def test_cin7_trouble_is_explained_not_raised(
    signed_in: FlaskClient, sandbox_state: SandboxState
) -> None:
    sandbox_state.faults.malformed_next()

    answer = signed_in.get("/orders/why-missing?q=SO-1", headers={"HX-Request": "true"})

    assert answer.status_code == 200
    assert "Could not ask Cin7" in answer.get_data(as_text=True)


def test_a_running_sync_shows_its_progress_and_is_not_started_twice(
    app: Flask, signed_in: FlaskClient, sandbox: SandboxServer
) -> None:
    with app.app_context():
        db.session.add(SyncRun(kind="full", trigger="schedule", orders_seen=1250, calls=6))
        db.session.commit()

    page = signed_in.get("/orders").get_data(as_text=True)
    again = signed_in.post("/orders/sync", follow_redirects=True).get_data(as_text=True)
    status = signed_in.get("/orders/sync/status").get_data(as_text=True)

    assert "Syncing… 1,250 orders so far" in page and 'hx-trigger="every 2s"' in page
    assert "A sync is already running" in again and "1,250 orders so far" in again
    assert re.search(r"started \d\d:\d\d:\d\d NZ[SD]T", again)  # the site's zone, named
    assert not sandbox.state.api_calls()  # nothing was sent to Cin7
    assert "Syncing… 1,250" in status


def test_a_run_left_unfinished_long_ago_is_not_shown_as_running(
    app: Flask, signed_in: FlaskClient
) -> None:
    with app.app_context():
        db.session.add(
            SyncRun(
                kind="full",
                trigger="schedule",
                started_at=datetime.now(UTC) - timedelta(hours=2),
                orders_seen=10,
            )
        )
        db.session.commit()

    status = signed_in.get("/orders/sync/status").get_data(as_text=True)
    started = signed_in.post("/orders/sync", follow_redirects=True).get_data(as_text=True)

    assert "Syncing" not in status and "every 2s" not in status
    assert "Order sync started" in started


def test_refresh_reads_the_one_order_from_cin7(
    app: Flask, signed_in: FlaskClient, sandbox: SandboxServer
) -> None:
    signed_in.post("/orders/sync")
    cin7_id = next(iter(sandbox.state.orders))
    with app.app_context():
        local = db.session.scalar(select(SalesOrder).where(SalesOrder.cin7_id == cin7_id))
        assert local is not None
        order_id, reference = local.id, local.reference
    sandbox.state.touch_order(cin7_id, deliveryCity="Ōtautahi")
    before = len(sandbox.state.api_calls())

    page = signed_in.post(f"/orders/{order_id}/refresh", follow_redirects=True)

    assert f"{reference} refreshed from Cin7." in page.get_data(as_text=True)
    assert "Ōtautahi" in page.get_data(as_text=True)
    assert len(sandbox.state.api_calls()) - before == 1


def test_refresh_of_an_order_cin7_lost_says_so(
    app: Flask, signed_in: FlaskClient, sandbox: SandboxServer
) -> None:
    signed_in.post("/orders/sync")
    cin7_id = next(iter(sandbox.state.orders))
    with app.app_context():
        order_id = db.session.scalar(select(SalesOrder.id).where(SalesOrder.cin7_id == cin7_id))
    del sandbox.state.orders[cin7_id]

    page = signed_in.post(f"/orders/{order_id}/refresh", follow_redirects=True)

    assert "Cin7 no longer has" in page.get_data(as_text=True)
