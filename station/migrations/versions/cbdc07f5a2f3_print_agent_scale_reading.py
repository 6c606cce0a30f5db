"""Print agents keep their scale's latest reading

Revision ID: cbdc07f5a2f3
Revises: e379cf489f8a
Create Date: 2026-11-25 11:00:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "cbdc07f5a2f3"
down_revision = "e379cf489f8a"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("print_agent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("scale_grams", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("scale_stable", sa.Boolean(), nullable=True))
        batch_op.add_column(sa.Column("scale_read_at", sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("print_agent", schema=None) as batch_op:
        batch_op.drop_column("scale_read_at")
        batch_op.drop_column("scale_stable")
        batch_op.drop_column("scale_grams")
