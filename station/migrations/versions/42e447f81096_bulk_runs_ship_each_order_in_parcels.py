"""Bulk runs ship each order in a number of parcels of the chosen package

A bulk run of two-carton orders shipped each as one parcel; ``parcel_count`` says how
many parcels (each of the run's package and weight) every order of the run goes out in.
Runs recorded before this have one parcel per order.

Revision ID: 42e447f81096
Revises: 5b1f0e7c3a94
Create Date: 2026-12-06 04:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "42e447f81096"
down_revision = "5b1f0e7c3a94"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("bulk_dispatch") as batch:
        batch.add_column(
            sa.Column("parcel_count", sa.Integer(), nullable=False, server_default="1")
        )


def downgrade():
    with op.batch_alter_table("bulk_dispatch") as batch:
        batch.drop_column("parcel_count")
