"""Inventory: synced from the sandbox on demand or on schedule, shown, exported, served as JSON."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.inbox.jobs import run_inventory_sync
from station.inbox.options import InboxOptions, save_options
from station.inbox.tokens import create_token
from station.settings import settings_store
from tests.conftest import AuthActions
from tests.inbox.builders import calls


@pytest.fixture
def manager(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


@pytest.fixture
def token(app: Flask) -> str:
    with app.app_context():
        made = create_token(db.session, name="Web shop", shop="web")
        db.session.commit()
        return made.token


def test_sync_now_reads_cin7_and_the_page_shows_it(
    manager: FlaskClient, sandbox: SandboxServer
) -> None:
    page = manager.post("/inbox/inventory/sync", follow_redirects=True).get_data(as_text=True)

    rows = len(sandbox.state.stock)
    assert "Reading stock from Cin7 now" in page and f"{rows} stock rows" in page
    found = manager.get("/inbox/inventory?sku=mug-sand", headers={"HX-Request": "true"})
    assert found.get_data(as_text=True).count("<tr><td>MUG-SAND</td>") == 3


def test_the_csv_download_lists_every_level(manager: FlaskClient, sandbox: SandboxServer) -> None:
    manager.post("/inbox/inventory/sync")

    response = manager.get("/inbox/inventory.csv")

    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert len(response.get_data(as_text=True).splitlines()) == len(sandbox.state.stock) + 1


def test_shops_read_inventory_with_their_token(
    manager: FlaskClient, app: Flask, token: str, sandbox: SandboxServer
) -> None:
    row = next(r for r in sandbox.state.stock if r["code"] == "MUG-SAND" and r["branchId"] == 1)
    row.update(available=30, incoming=7, holding=4)
    with app.app_context():
        save_options(settings_store(db.session), InboxOptions(inventory_include_incoming=True))
        db.session.commit()
    manager.post("/inbox/inventory/sync")
    api = app.test_client()

    body = api.get(
        "/api/v1/inventory?sku=MUG-SAND", headers={"Authorization": f"Bearer {token}"}
    ).get_json()

    assert body["synced_at"] and body["includes_incoming"] and not body["less_holding"]
    assert {
        "sku": "MUG-SAND",
        "branch_id": 1,
        "branch": "Auckland Warehouse",
        "available": 37.0,
    } in body["items"]
    assert len(body["items"]) == 3
    assert api.get("/api/v1/inventory").status_code == 401


def test_the_scheduled_sync_runs_only_when_turned_on(app: Flask, sandbox: SandboxServer) -> None:
    with app.app_context():
        assert run_inventory_sync(scheduled=True) is None
    assert calls(sandbox.state, "GET", "Stock") == 0

    with app.app_context():
        save_options(settings_store(db.session), InboxOptions(inventory_sync_minutes=60))
        db.session.commit()
        summary = run_inventory_sync(scheduled=True)

    assert summary is not None and summary["rows"] == len(sandbox.state.stock)


def test_a_failed_sync_says_why_on_the_page(manager: FlaskClient, sandbox: SandboxServer) -> None:
    sandbox.state.faults.malformed_next()

    page = manager.post("/inbox/inventory/sync", follow_redirects=True).get_data(as_text=True)

    assert "Cin7 answered GET v1/Stock with malformed JSON" in page
