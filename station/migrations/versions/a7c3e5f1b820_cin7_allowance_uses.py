"""Per-person allowances of Cin7-calling actions

Revision ID: a7c3e5f1b820
Revises: c41d7e9a2b56
Create Date: 2026-12-05 09:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "a7c3e5f1b820"
down_revision = "f3b8a1c6d2e4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cin7_allowance_use",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=96), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cin7_allowance_use")),
    )
    with op.batch_alter_table("cin7_allowance_use", schema=None) as batch_op:
        batch_op.create_index("ix_cin7_allowance_use_key_at", ["key", "at"], unique=False)


def downgrade():
    with op.batch_alter_table("cin7_allowance_use", schema=None) as batch_op:
        batch_op.drop_index("ix_cin7_allowance_use_key_at")
    op.drop_table("cin7_allowance_use")
