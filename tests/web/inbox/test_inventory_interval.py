"""Inbox → Settings: the inventory sync's interval, with the Cin7 calls a day beside it."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.inbox.options import load_options
from station.models import AuditEvent
from station.settings import settings_store
from tests.conftest import AuthActions
from tests.inbox.builders import calls


@pytest.fixture
def manager(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


def offered(page: str) -> dict[str, str]:
    """The interval menu's choices: value → text."""
    menu = re.search(r'<select[^>]*name="inventory_sync_minutes".*?</select>', page, re.S)
    assert menu is not None
    return dict(re.findall(r'<option[^>]*value="(\d+)"[^>]*>([^<]*)</option>', menu.group(0)))


def test_every_interval_is_offered_with_its_calls_a_day_estimated(manager: FlaskClient) -> None:
    page = manager.get("/inbox/settings").get_data(as_text=True)

    choices = offered(page)
    assert list(choices) == ["0", "15", "30", "60", "120", "240", "360", "720", "1440"]
    assert choices["0"] == "Off"
    assert choices["15"] == "Every 15 min (about 96 Cin7 calls a day)"
    assert choices["60"] == "Every hour (about 24 Cin7 calls a day)"
    assert choices["1440"] == "Every 24 h (about 1 Cin7 call a day)"
    assert "estimated from the 0 stock levels held" in page


def test_after_a_sync_the_calls_a_day_come_from_its_own_count(
    manager: FlaskClient, sandbox: SandboxServer
) -> None:
    sandbox.state.stock = sandbox.state.stock * (600 // len(sandbox.state.stock) + 1)
    manager.post("/inbox/inventory/sync")
    per_sync = calls(sandbox.state, "GET", "Stock")

    page = manager.get("/inbox/settings").get_data(as_text=True)

    assert per_sync >= 3
    assert offered(page)["120"] == f"Every 2 h (about {12 * per_sync} Cin7 calls a day)"
    assert f"{per_sync} calls a sync, as the last sync made them" in page
    assert calls(sandbox.state, "GET", "Stock") == per_sync  # showing it asked Cin7 nothing


def test_a_manager_chooses_the_interval_and_it_is_audited(app: Flask, manager: FlaskClient) -> None:
    response = manager.post("/inbox/settings", data={"inventory_sync_minutes": "240"})

    assert response.status_code == 302
    page = manager.get("/inbox/settings").get_data(as_text=True)
    assert re.search(r'<option selected value="240">|<option value="240" selected>', page)
    with app.app_context():
        assert load_options(settings_store(db.session)).inventory_sync_minutes == 240
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "settings.inbox.saved")
        ).one()
        assert event.detail["inventory_sync_minutes"] == 240 and event.actor_username == "manager"


def test_an_interval_not_offered_is_refused(app: Flask, manager: FlaskClient) -> None:
    response = manager.post("/inbox/settings", data={"inventory_sync_minutes": "45"})

    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)
    with app.app_context():
        assert load_options(settings_store(db.session)).inventory_sync_minutes == 0
