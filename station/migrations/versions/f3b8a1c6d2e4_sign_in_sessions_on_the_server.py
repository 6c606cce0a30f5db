"""Sign-in sessions kept on the server, so signing out ends one browser's session

Revision ID: f3b8a1c6d2e4
Revises: c41d7e9a2b56
Create Date: 2026-12-05 09:20:00.000000

Every browser signs in again after this upgrade: the session version the old cookies
carried is gone.
"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "f3b8a1c6d2e4"
down_revision = "c41d7e9a2b56"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sign_in_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_sign_in_session_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_sign_in_session_token_hash")),
    )
    with op.batch_alter_table("sign_in_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_session_seen_at"), ["seen_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_sign_in_session_user_id"), ["user_id"], unique=False)

    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("session_version")


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), server_default="0", nullable=False)
        )

    with op.batch_alter_table("sign_in_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_session_user_id"))
        batch_op.drop_index(batch_op.f("ix_sign_in_session_seen_at"))

    op.drop_table("sign_in_session")
