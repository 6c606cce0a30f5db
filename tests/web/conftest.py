"""Fixtures for view tests."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station.models import Role
from station.web.sessions import CLOCK
from tests.carriers.samples import FakeClock
from tests.conftest import AuthActions


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
