"""Printers and the print queue

Revision ID: 3730e5cf49a0
Revises: e8bc6b0499a6
Create Date: 2026-11-25 07:52:42.427178

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "3730e5cf49a0"
down_revision = "e8bc6b0499a6"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "printer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("spec", sa.JSON(), nullable=False),
        sa.Column("bench", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_printer")),
        sa.UniqueConstraint("name", name=op.f("uq_printer_name")),
    )
    op.create_table(
        "print_job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("printer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("format", sa.String(length=8), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "queued", "sending", "done", "failed", name="jobstate", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=128), nullable=True),
        sa.Column("reprint_of_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sending_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["printer_id"], ["printer.id"], name=op.f("fk_print_job_printer_id_printer")
        ),
        sa.ForeignKeyConstraint(
            ["reprint_of_id"], ["print_job.id"], name=op.f("fk_print_job_reprint_of_id_print_job")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_print_job")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_print_job_dedupe_key")),
    )
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_print_job_printer_id"), ["printer_id"], unique=False)
        batch_op.create_index(
            "ix_print_job_printer_state", ["printer_id", "state", "id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("print_job", schema=None) as batch_op:
        batch_op.drop_index("ix_print_job_printer_state")
        batch_op.drop_index(batch_op.f("ix_print_job_printer_id"))

    op.drop_table("print_job")
    op.drop_table("printer")
