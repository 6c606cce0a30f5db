"""Inbox orders sent again by themselves after Cin7 failed

Revision ID: c41d7e9a2b56
Revises: 8e2d61f0a9c5
Create Date: 2026-11-30 21:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "c41d7e9a2b56"
down_revision = "8e2d61f0a9c5"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("inbox_order", schema=None) as batch_op:
        batch_op.add_column(sa.Column("resubmit_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(
            sa.Column("submit_failures", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("inbox_order", schema=None) as batch_op:
        batch_op.drop_column("submit_failures")
        batch_op.drop_column("resubmit_at")
