"""What Station asks of PostgreSQL: no JIT on its short queries, a trigram index for search."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


def test_station_connections_run_without_jit(ctx: Session) -> None:
    assert ctx.scalar(text("SHOW jit")) == "off"


def test_the_order_search_has_its_trigram_index(ctx: Session) -> None:
    definition = ctx.scalar(
        text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_sales_order_search_trgm'")
    )

    assert definition is not None
    assert "gin (search_text gin_trgm_ops)" in definition
