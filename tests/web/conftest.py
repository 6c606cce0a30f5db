"""Fixtures shared by the view tests."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station.extensions import db
from station.models import Printer, Role
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
