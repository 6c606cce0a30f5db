"""Fixtures of the inbox tests: the app's session inside an app context."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from station.extensions import db


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    """The app's session, inside an app context."""
    with app.app_context():
        yield db.session
