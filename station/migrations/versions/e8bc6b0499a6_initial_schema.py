"""Orders, products, sync runs, users, settings, Cin7 call log

Revision ID: e8bc6b0499a6
Revises:
Create Date: 2026-11-25 07:40:12.180040

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "e8bc6b0499a6"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "cin7_call_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("throttled", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_cin7_call_day")),
    )
    op.create_table(
        "cin7_call_slot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cin7_call_slot")),
    )
    with op.batch_alter_table("cin7_call_slot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cin7_call_slot_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_cin7_call_slot_key"), ["key"], unique=False)

    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cin7_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("style_code", sa.String(length=128), nullable=True),
        sa.Column("stock_control", sa.String(length=32), nullable=True),
        sa.Column("size_range_id", sa.Integer(), nullable=True),
        sa.Column("weight_grams", sa.Integer(), nullable=True),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
        sa.UniqueConstraint("cin7_id", name=op.f("uq_product_cin7_id")),
    )
    op.create_table(
        "sales_order",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cin7_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=True),
        sa.Column("stage", sa.String(length=64), nullable=True),
        sa.Column("is_approved", sa.Boolean(), nullable=False),
        sa.Column("is_void", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=64), nullable=True),
        sa.Column("branch_id", sa.Integer(), nullable=True),
        sa.Column("customer_order_no", sa.String(length=128), nullable=True),
        sa.Column("first_name", sa.String(length=128), nullable=True),
        sa.Column("last_name", sa.String(length=128), nullable=True),
        sa.Column("company", sa.String(length=255), nullable=True),
        sa.Column("email", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=64), nullable=True),
        sa.Column("mobile", sa.String(length=64), nullable=True),
        sa.Column("delivery_first_name", sa.String(length=128), nullable=True),
        sa.Column("delivery_last_name", sa.String(length=128), nullable=True),
        sa.Column("delivery_company", sa.String(length=255), nullable=True),
        sa.Column("delivery_address1", sa.String(length=255), nullable=True),
        sa.Column("delivery_address2", sa.String(length=255), nullable=True),
        sa.Column("delivery_city", sa.String(length=128), nullable=True),
        sa.Column("delivery_state", sa.String(length=128), nullable=True),
        sa.Column("delivery_postal_code", sa.String(length=32), nullable=True),
        sa.Column("delivery_country", sa.String(length=64), nullable=True),
        sa.Column("delivery_instructions", sa.Text(), nullable=True),
        sa.Column("currency_code", sa.String(length=8), nullable=True),
        sa.Column("total", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("freight_total", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("freight_description", sa.String(length=255), nullable=True),
        sa.Column("dispatched_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tracking_code", sa.String(length=255), nullable=True),
        sa.Column("logistics_carrier", sa.String(length=128), nullable=True),
        sa.Column("internal_comments", sa.Text(), nullable=True),
        sa.Column("cin7_created", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cin7_modified", sa.DateTime(timezone=True), nullable=False),
        sa.Column("synced_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sales_order")),
        sa.UniqueConstraint("cin7_id", name=op.f("uq_sales_order_cin7_id")),
    )
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.create_index("ix_sales_order_cin7_modified", ["cin7_modified"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_sales_order_delivery_postal_code"),
            ["delivery_postal_code"],
            unique=False,
        )
        batch_op.create_index(batch_op.f("ix_sales_order_email"), ["email"], unique=False)
        batch_op.create_index(batch_op.f("ix_sales_order_reference"), ["reference"], unique=False)
        batch_op.create_index(
            "ix_sales_order_stage_modified", ["stage", "cin7_modified"], unique=False
        )

    op.create_table(
        "setting",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("secret", sa.String(length=1024), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_setting")),
    )
    op.create_table(
        "sync_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("trigger", sa.String(length=16), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("calls", sa.Integer(), nullable=False),
        sa.Column("orders_seen", sa.Integer(), nullable=False),
        sa.Column("orders_created", sa.Integer(), nullable=False),
        sa.Column("orders_updated", sa.Integer(), nullable=False),
        sa.Column("orders_skipped", sa.Integer(), nullable=False),
        sa.Column("high_water", sa.DateTime(timezone=True), nullable=True),
        sa.Column("high_water_id", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_run")),
    )
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sync_run_started_at"), ["started_at"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=128), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column(
            "role",
            sa.Enum("packer", "manager", "admin", name="role", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_table(
        "order_line",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("cin7_line_id", sa.Integer(), nullable=True),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("product_option_id", sa.Integer(), nullable=True),
        sa.Column("code", sa.String(length=128), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("option1", sa.String(length=128), nullable=True),
        sa.Column("option2", sa.String(length=128), nullable=True),
        sa.Column("option3", sa.String(length=128), nullable=True),
        sa.Column("barcode", sa.String(length=64), nullable=True),
        sa.Column("size_codes", sa.String(length=255), nullable=True),
        sa.Column("qty", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("qty_shipped", sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=14, scale=2), nullable=True),
        sa.Column("stock_control", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["order_id"],
            ["sales_order.id"],
            name=op.f("fk_order_line_order_id_sales_order"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_line")),
    )
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_order_line_barcode"), ["barcode"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_line_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_line_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_order_line_product_id"), ["product_id"], unique=False)

    op.create_table(
        "product_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cin7_id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=128), nullable=True),
        sa.Column("barcode", sa.String(length=64), nullable=True),
        sa.Column("size", sa.String(length=64), nullable=True),
        sa.Column("weight_grams", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["product.id"],
            name=op.f("fk_product_option_product_id_product"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_option")),
        sa.UniqueConstraint("cin7_id", name=op.f("uq_product_option_cin7_id")),
    )
    with op.batch_alter_table("product_option", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_product_option_barcode"), ["barcode"], unique=False)
        batch_op.create_index(batch_op.f("ix_product_option_code"), ["code"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_product_option_product_id"), ["product_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("product_option", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_product_option_product_id"))
        batch_op.drop_index(batch_op.f("ix_product_option_code"))
        batch_op.drop_index(batch_op.f("ix_product_option_barcode"))

    op.drop_table("product_option")
    with op.batch_alter_table("order_line", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_order_line_product_id"))
        batch_op.drop_index(batch_op.f("ix_order_line_order_id"))
        batch_op.drop_index(batch_op.f("ix_order_line_code"))
        batch_op.drop_index(batch_op.f("ix_order_line_barcode"))

    op.drop_table("order_line")
    op.drop_table("user_account")
    with op.batch_alter_table("sync_run", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sync_run_started_at"))

    op.drop_table("sync_run")
    op.drop_table("setting")
    with op.batch_alter_table("sales_order", schema=None) as batch_op:
        batch_op.drop_index("ix_sales_order_stage_modified")
        batch_op.drop_index(batch_op.f("ix_sales_order_reference"))
        batch_op.drop_index(batch_op.f("ix_sales_order_email"))
        batch_op.drop_index(batch_op.f("ix_sales_order_delivery_postal_code"))
        batch_op.drop_index("ix_sales_order_cin7_modified")

    op.drop_table("sales_order")
    op.drop_table("product")
    with op.batch_alter_table("cin7_call_slot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cin7_call_slot_key"))
        batch_op.drop_index(batch_op.f("ix_cin7_call_slot_at"))

    op.drop_table("cin7_call_slot")
    op.drop_table("cin7_call_day")
