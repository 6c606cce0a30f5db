"""What Station asks of PostgreSQL (no JIT on its short queries, a trigram index for search)
and how it tells a database it cannot reach from a statement that failed."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from station import create_app
from station.db import database_unreachable
from station.extensions import db

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def test_station_connections_run_without_jit(ctx: Session) -> None:
    assert ctx.scalar(text("SHOW jit")) == "off"


def test_the_order_search_has_its_trigram_index(ctx: Session) -> None:
    definition = ctx.scalar(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_sales_order_search_trgm'")
    )

    assert definition is not None
    assert "gin (search_text gin_trgm_ops)" in definition


def test_a_database_that_is_not_there_is_a_503_and_the_log_names_it(
    app_config: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    missing = make_url(app_config["DATABASE_URL"]).set(database="station_never_created")
    url = missing.render_as_string(hide_password=False)
    app = create_app({**app_config, "DATABASE_URL": url})
    caplog.set_level(logging.ERROR, logger="station")

    answer = app.test_client().get("/login")

    assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
    assert "Station cannot reach its database" in answer.get_data(as_text=True)
    assert any('"station_never_created" does not exist' in r.getMessage() for r in caplog.records)
    with app.app_context():
        db.engine.dispose()


def test_a_statement_that_fails_is_no_unreachable_database(ctx: Session) -> None:
    try:
        ctx.execute(text("SET LOCAL statement_timeout = '10ms'; SELECT pg_sleep(1)"))
    except OperationalError as exc:
        refused = exc
    ctx.rollback()

    assert not database_unreachable(refused)  # a 500 to investigate, not "try again later"
