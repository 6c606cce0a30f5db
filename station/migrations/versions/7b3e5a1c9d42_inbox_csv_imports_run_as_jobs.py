"""Inbox CSV imports run as jobs, with their progress

Revision ID: 7b3e5a1c9d42
Revises: c41d7e9a2b56
Create Date: 2026-12-05 09:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "7b3e5a1c9d42"
down_revision = "5e7a1c9d3b20"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inbox_import",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("shop", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("orders_total", sa.Integer(), nullable=False),
        sa.Column("orders_done", sa.Integer(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_inbox_import_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_import")),
    )


def downgrade():
    op.drop_table("inbox_import")
