"""Commands run on a database that has no tables yet (or old ones) say what to do.

Each command that touches the database answers "run `station db upgrade`" and exits 1
instead of printing a traceback, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import text

from station import create_app
from station.cli import main
from station.db import schema_missing
from station.extensions import db
from tests.conftest import fresh_postgres_database

pytestmark = pytest.mark.both_databases

COMMANDS = [
    ["sync", "--once"],
    ["users", "create", "bob", "--password", "correct horse battery"],
    ["agents", "create", "Bench 1"],
    ["agents", "revoke", "Bench 1"],
    ["rotate-secrets"],
    ["worker"],
]


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database Station can reach that has no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    with fresh_postgres_database("station_empty") as url:
        yield url


@pytest.fixture
def empty_app(empty_database: str, tmp_path: Path) -> Iterator[Flask]:
    config: dict[str, Any] = {
        "TESTING": True,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": empty_database,
        "SECRET_KEY": "test-secret",
        "JOBS_IMMEDIATE": True,
        "SANDBOX_ENABLED": False,
        "REDIS_URL": None,
        "LOG_LEVEL": "WARNING",
        "CIN7_BASE_URL": "http://127.0.0.1:9/api",  # never reached: the tables are missing
        "CIN7_USERNAME": "someone",
        "CIN7_API_KEY": "key",
        "CIN7_PRIVATE": True,
    }
    app = create_app(config)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_a_command_on_a_database_without_tables_says_to_upgrade_it(
    empty_app: Flask, args: list[str]
) -> None:
    result = empty_app.test_cli_runner().invoke(main, args)

    assert result.exit_code == 1, result.output
    assert "run `station db upgrade`" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # click's error exit, not a crash


def test_a_missing_column_is_also_an_old_schema(empty_app: Flask) -> None:
    with empty_app.app_context():
        db.session.execute(text("CREATE TABLE setting (key VARCHAR(64) PRIMARY KEY)"))
        db.session.commit()
        with pytest.raises(Exception) as raised:  # noqa: PT011 - the driver's own error
            db.session.execute(text("SELECT value FROM setting"))
        db.session.rollback()
    assert schema_missing(raised.value)


def test_other_database_errors_are_not_taken_for_a_missing_schema(empty_app: Flask) -> None:
    with empty_app.app_context(), pytest.raises(Exception) as raised:  # noqa: PT011
        db.session.execute(text("SELECT * FROM"))
    assert not schema_missing(raised.value)
