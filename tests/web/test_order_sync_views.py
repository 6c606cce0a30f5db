"""Asking Cin7 why an order is missing, and starting a sync, from the order list."""

from __future__ import annotations

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


def test_cin7_trouble_is_explained_not_raised(
    signed_in: FlaskClient, sandbox_state: SandboxState
) -> None:
    sandbox_state.faults.malformed_next()

    answer = signed_in.get("/orders/why-missing?q=SO-1", headers={"HX-Request": "true"})

    assert answer.status_code == 200
    assert "Could not ask Cin7" in answer.get_data(as_text=True)
