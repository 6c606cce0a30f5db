"""The sweep's table snapshot sees every write, on both databases, and re-reads only those."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from station.extensions import db
from station.models import Product, User
from tests.builders import add_order
from tests.fakes.tables import TableRows, watching

pytestmark = pytest.mark.both_databases


@pytest.fixture
def tables(ctx: Session) -> Iterator[TableRows]:
    """Every table watched, of a database holding one order, each read once already."""
    add_order(ctx)
    ctx.commit()
    with watching(db.engine, {}) as watched:
        watched.read()
        yield watched


def test_a_write_through_the_orm_is_seen_and_only_its_table_is_read_again(
    ctx: Session, tables: TableRows
) -> None:
    before, reads = tables.read(), tables.reads
    ctx.add(Product(cin7_id=99, name="Mug"))
    ctx.commit()
    after = tables.read()

    assert before["product"] != after["product"]
    assert before["sales_order"] == after["sales_order"]
    assert tables.reads == reads + 1  # the product table alone


def test_a_read_changes_nothing_and_reads_nothing_again(ctx: Session, tables: TableRows) -> None:
    before, reads = tables.read(), tables.reads
    ctx.execute(text("SELECT count(*) FROM sales_order")).scalar()
    ctx.commit()

    assert tables.read() == before and tables.reads == reads


def test_a_statement_it_cannot_read_marks_every_table(ctx: Session, tables: TableRows) -> None:
    reads = tables.reads
    ctx.execute(
        text("WITH gone AS (DELETE FROM order_line RETURNING 1) SELECT count(*) FROM gone")
        if db.engine.dialect.name == "postgresql"
        else text("REPLACE INTO order_line SELECT * FROM order_line")
    )
    ctx.commit()
    tables.read()

    assert tables.reads == reads + len(tables.queries)


def test_ignored_columns_and_tables_are_left_out(ctx: Session) -> None:
    with watching(db.engine, {"user_account": {"last_login_at"}, "audit_event": {"*"}}) as tables:
        assert "audit_event" not in tables.read()
    columns = tables.queries["user_account"].selected_columns.keys()
    assert "last_login_at" not in columns and "username" in columns
    assert User.__tablename__ == "user_account"
