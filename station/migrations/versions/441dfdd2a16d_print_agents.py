"""Print agents

Revision ID: 441dfdd2a16d
Revises: 3730e5cf49a0
Create Date: 2026-11-25 08:00:48.038718

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "441dfdd2a16d"
down_revision = "3730e5cf49a0"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "print_agent",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_agent")),
        sa.UniqueConstraint("name", name=op.f("uq_print_agent_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_print_agent_token_hash")),
    )
    with op.batch_alter_table("printer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agent_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_printer_agent_id"), ["agent_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_printer_agent_id_print_agent"), "print_agent", ["agent_id"], ["id"]
        )


def downgrade():
    with op.batch_alter_table("printer", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_printer_agent_id_print_agent"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_printer_agent_id"))
        batch_op.drop_column("agent_id")

    op.drop_table("print_agent")
