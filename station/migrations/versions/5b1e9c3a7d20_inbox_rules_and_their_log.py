"""Inbox rules and the log of rules fired

Revision ID: 5b1e9c3a7d20
Revises: e47809d111ed
Create Date: 2026-11-30 19:55:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b1e9c3a7d20"
down_revision = "e47809d111ed"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inbox_rule",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("match_all", sa.Boolean(), nullable=False),
        sa.Column("conditions", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_rule")),
    )
    with op.batch_alter_table("inbox_rule", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inbox_rule_event"), ["event"], unique=False)

    op.create_table(
        "inbox_rule_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rule_id", sa.Integer(), nullable=True),
        sa.Column("rule_name", sa.String(length=64), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=40), nullable=False),
        sa.Column("fired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["inbox_order.id"],
            name=op.f("fk_inbox_rule_run_order_id_inbox_order"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"],
            ["inbox_rule.id"],
            name=op.f("fk_inbox_rule_run_rule_id_inbox_rule"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_rule_run")),
    )
    with op.batch_alter_table("inbox_rule_run", schema=None) as batch_op:
        batch_op.create_index("ix_inbox_rule_run_order", ["order_id", "fired_at"], unique=False)


def downgrade():
    with op.batch_alter_table("inbox_rule_run", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_rule_run_order")

    op.drop_table("inbox_rule_run")
    with op.batch_alter_table("inbox_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inbox_rule_event"))

    op.drop_table("inbox_rule")
