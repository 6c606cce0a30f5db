"""Order search uses a trigram index on PostgreSQL

The order list's search is a substring match on ``sales_order.search_text``
(``LIKE '%term%'``), which no B-tree index serves: at 50,000 orders PostgreSQL read
every row twice per search (the capped count and the page). A GIN index with pg_trgm's
``gin_trgm_ops`` answers such a LIKE from the index. SQLite keeps its scan, which is
fast enough in-process.

pg_trgm ships with PostgreSQL (contrib). Where the database user may not create the
extension, the migration leaves the index out and logs the two statements a superuser
can run later: searches still work, only slower.

Revision ID: c9e4a2f7b1d3
Revises: b7d2e4f6a813
Create Date: 2026-12-06 17:30:00.000000

"""

import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

# revision identifiers, used by Alembic.
revision = "c9e4a2f7b1d3"
down_revision = "b7d2e4f6a813"
branch_labels = None
depends_on = None

INDEX = "ix_sales_order_search_trgm"
log = logging.getLogger("alembic.runtime.migration")


def upgrade():
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as exc:
        log.warning(
            "Order search stays without its index: pg_trgm could not be created (%s). "
            "A superuser can add it: CREATE EXTENSION pg_trgm; CREATE INDEX %s ON "
            "sales_order USING gin (search_text gin_trgm_ops);",
            str(exc.orig).splitlines()[0],
            INDEX,
        )
        return
    op.create_index(
        INDEX,
        "sales_order",
        ["search_text"],
        postgresql_using="gin",
        postgresql_ops={"search_text": "gin_trgm_ops"},
    )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX IF EXISTS {INDEX}")
