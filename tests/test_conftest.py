"""The suite's own rules: which databases a test runs on, and when Cin7's limits apply."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from station.cin7.sandbox import Limits
from station.extensions import db
from station.models import OrderLine, SalesOrder
from tests.builders import add_order
from tests.conftest import empty_postgres_tables


def _ids_of(request: pytest.FixtureRequest, name: str) -> set[str]:
    """The parameter ids this module's test ``name`` is collected with (deselected too)."""
    module = request.node.getparent(pytest.Module)
    return {
        item.callspec.id
        for item in module.collect()
        if isinstance(item, pytest.Function) and item.originalname == name
    }


def test_a_test_runs_on_sqlite_only_unless_marked(request: pytest.FixtureRequest) -> None:
    assert _ids_of(request, "test_an_app_test") == {"sqlite"}
    assert _ids_of(request, "test_a_test_of_locks") == {"sqlite", "postgres"}
    assert _ids_of(request, "test_a_test_that_chose_postgres") == {"postgres"}


def test_an_app_test(database_url: str) -> None:
    assert database_url.startswith("sqlite:///")


@pytest.mark.both_databases
def test_a_test_of_locks(database_url: str, request: pytest.FixtureRequest) -> None:
    on_postgres = database_url.startswith("postgresql")
    assert on_postgres == (request.node.get_closest_marker("postgres") is not None)


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_test_that_chose_postgres(database_url: str, request: pytest.FixtureRequest) -> None:
    assert database_url.startswith("postgresql")
    assert request.node.get_closest_marker("postgres") is not None


def test_cin7s_limits_are_off_by_default(
    sandbox_limits: Limits, app_config: dict[str, Any]
) -> None:
    assert sandbox_limits == Limits.unlimited()
    assert app_config["CIN7_PACING"] is False and app_config["SANDBOX_LIMITS"] is False


@pytest.mark.cin7_limits
def test_a_test_of_pacing_gets_cin7s_limits(
    sandbox_limits: Limits, app_config: dict[str, Any]
) -> None:
    assert sandbox_limits == Limits()
    assert app_config["CIN7_PACING"] is True and app_config["SANDBOX_LIMITS"] is True


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_a_postgres_test_leaves_no_rows_and_ids_start_at_one_again(app: Flask) -> None:
    with app.app_context():
        first = add_order(db.session, cin7_id=1)
        add_order(db.session, cin7_id=2)
        db.session.commit()
        assert first.id == 1
        db.session.remove()
        empty_postgres_tables(app.config["DATABASE_URL"])
        assert db.session.scalar(select(func.count()).select_from(SalesOrder)) == 0
        assert db.session.scalar(select(func.count()).select_from(OrderLine)) == 0
        assert add_order(db.session, cin7_id=3).id == 1
        db.session.rollback()
