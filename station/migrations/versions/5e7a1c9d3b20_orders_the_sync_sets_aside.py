"""Orders the sync could not store, set aside with the reason, and counted on each run

Revision ID: 5e7a1c9d3b20
Revises: c41d7e9a2b56
Create Date: 2026-12-05 09:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5e7a1c9d3b20"
down_revision = "a7c3e5f1b820"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "set_aside_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cin7_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("cin7_modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("first_set_aside_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_tried_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["sync_run.id"], name=op.f("fk_set_aside_order_run_id_sync_run")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_set_aside_order")),
        sa.UniqueConstraint("cin7_id", name=op.f("uq_set_aside_order_cin7_id")),
    )
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("orders_set_aside", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.drop_column("orders_set_aside")
    op.drop_table("set_aside_order")
