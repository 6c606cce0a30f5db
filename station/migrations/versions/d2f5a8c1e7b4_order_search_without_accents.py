"""Order search text without accents: "tane" finds "Tāne"

Revision ID: d2f5a8c1e7b4
Revises: c9e4a2f7b1d3
Create Date: 2026-12-07 12:58:00.000000

"""

import unicodedata

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "d2f5a8c1e7b4"
down_revision = "c9e4a2f7b1d3"
branch_labels = None
depends_on = None

# The fields and the folding as they stood when this migration was written (the model and
# station.text keep their own).
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


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not 0x300 <= ord(c) <= 0x36F)


def _lowered(text: str) -> str:
    return text.lower()


def _rewrite(fold):
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
                        fold(str(getattr(row, f))) for f in FIELDS if getattr(row, f)
                    ),
                }
                for row in rows
            ],
        )
        last = rows[-1].id


def upgrade():
    _rewrite(_folded)


def downgrade():
    _rewrite(_lowered)
