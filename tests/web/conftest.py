"""Fixtures shared by the view tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station.extensions import db
from station.models import Printer, Role
from station.web.sessions import CLOCK
from tests.carriers.samples import FakeClock
from tests.conftest import AuthActions
from tests.dispatch.test_ship import add_order


@pytest.fixture
def bench(app: Flask, client: FlaskClient, auth: AuthActions) -> FlaskClient:
    """A packer signed in at a bench with a printer and order SO-5001 synced."""
    with app.app_context():
        db.session.add(Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"}))
        add_order(db.session)
        db.session.commit()
    auth.login("packer", role=Role.PACKER)
    return client


@pytest.fixture
def clock(app: Flask) -> FakeClock:
    """The app's clock, moved by hand (sessions and sign-in lockouts read it)."""
    fake = FakeClock(now=datetime.now(UTC).replace(microsecond=0))
    app.extensions[CLOCK] = fake
    return fake


def signed_in(app: Flask, username: str, role: Role = Role.PACKER) -> FlaskClient:
    """Another browser, signed in as ``username`` (created with ``role`` if new)."""
    browser = app.test_client()
    AuthActions(app, browser).login(username, role=role)
    return browser
