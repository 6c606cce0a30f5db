"""Orders keep one lower-cased search text, so a search reads one column, not eight

Revision ID: b41c2e7d9a10
Revises: 3d35d150f7f2
Create Date: 2026-11-30 18:55:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "b41c2e7d9a10"
down_revision = "3d35d150f7f2"
branch_labels = None
depends_on = None

# The fields as they stood when this migration was written (the model keeps its own list).
FIELDS = (
    "reference",
    "customer_order_no",
    "company",
    "first_name",
    "last_name",
    "delivery_first_name",
    "delivery_last_name",
    "delivery_company",
    "email",
    "delivery_postal_code",
)
BATCH = 2000


def upgrade():
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch_op.create_index(batch_op.f("ix_sales_order_branch_id"), ["branch_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sales_order_cin7_created"), ["cin7_created"], unique=False
        )
    orders = sa.table(
        "sales_order", sa.column("id"), sa.column("search_text"), *map(sa.column, FIELDS)
    )
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(
            sa.select(orders).where(orders.c.id > last).order_by(orders.c.id).limit(BATCH)
        ).all()
        if not rows:
            break
        conn.execute(
            orders.update().where(orders.c.id == sa.bindparam("row_id")),
            [
                {
                    "row_id": row.id,
                    "search_text": " ".join(
                        str(getattr(row, f)).lower() for f in FIELDS if getattr(row, f)
                    ),
                }
                for row in rows
            ],
        )
        last = rows[-1].id


def downgrade():
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sales_order_cin7_created"))
        batch_op.drop_index(batch_op.f("ix_sales_order_branch_id"))
        batch_op.drop_column("search_text")
