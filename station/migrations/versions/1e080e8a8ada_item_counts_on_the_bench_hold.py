"""Item counts kept on the order's bench hold

With "Verify items" on, the bench counted scanned items in the signed session cookie.
Every response re-sends that cookie, so a slower request started earlier (the browser's
favicon, a print job's status poll) could put back an older copy and lose a counted
item. The counts now live on the order's hold row, which only the item scans change.

Revision ID: 1e080e8a8ada
Revises: 2f604a3086f9
Create Date: 2026-12-05 16:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "1e080e8a8ada"
down_revision = "2f604a3086f9"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("order_hold") as batch:
        batch.add_column(sa.Column("item_counts", sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table("order_hold") as batch:
        batch.drop_column("item_counts")
