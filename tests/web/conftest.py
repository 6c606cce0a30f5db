"""Fixtures shared by the view tests."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import OrderLine, Printer, Role, SalesOrder
from station.web.sessions import CLOCK
from tests.builders import add_order
from tests.carriers.samples import FakeClock
from tests.conftest import AuthActions


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
def benches(app: Flask) -> tuple[FlaskClient, FlaskClient]:
    """Two packers signed in at two benches; order SO-5001 synced."""
    with app.app_context():
        db.session.add(
            Printer(name="Zebra 1", bench="Bench 1", spec={"format": "zpl", "transport": "memory"})
        )
        add_order(db.session)
        db.session.commit()
    first, second = app.test_client(), app.test_client()
    AuthActions(app, first).login("aroha", role=Role.PACKER)
    AuthActions(app, second).login("ben", role=Role.PACKER)
    return first, second


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


@pytest.fixture
def verifying(app: Flask, bench: FlaskClient) -> FlaskClient:
    """The bench with item verification on; SO-5001 has 2 × TEE-BLK-M and a mug by barcode."""
    with app.app_context():
        order = db.session.scalars(select(SalesOrder)).one()
        order.lines.append(
            OrderLine(position=2, code="MUG-1", name="Mug", qty=Decimal(1), barcode="9400000000017")
        )
        add_order(db.session, cin7_id=5002)
        db.session.commit()
    bench.post("/bench/verify", data={"verify": "on"})
    return bench
