"""Shopify webhook deliveries taken once, by their webhook id; secrets bound to shops

The one Shopify secret kept before is bound to its shop when every Shopify order came
from one shop; otherwise it stays unbound, deliveries are refused and Inbox → Settings
asks for it again with its shop domain.

Revision ID: 5b1f0e7c3a94
Revises: c41d7e9a2b56
Create Date: 2026-12-05 09:20:00.000000

"""

import hashlib

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "5b1f0e7c3a94"
down_revision = "7b3e5a1c9d42"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "shopify_delivery",
        sa.Column("webhook_id", sa.String(length=64), nullable=False),
        sa.Column("shop", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("webhook_id", name=op.f("pk_shopify_delivery")),
    )
    _bind_the_old_secret()


def _bind_the_old_secret():
    bind = op.get_bind()
    secret = bind.execute(
        sa.text("SELECT secret FROM setting WHERE key = 'inbox.shopify_secret'")
    ).scalar()
    shops = (
        bind.execute(sa.text("SELECT DISTINCT shop FROM inbox_order WHERE source = 'shopify'"))
        .scalars()
        .all()
    )
    if not secret or len(shops) != 1:
        return
    shop = shops[0].lower()
    key = "inbox.shopify_shop." + hashlib.sha256(shop.encode()).hexdigest()[:40]
    setting = sa.table(
        "setting",
        sa.column("key", sa.String),
        sa.column("value", sa.JSON),
        sa.column("secret", sa.Text),
        sa.column("updated_at", sa.DateTime(timezone=True)),
    )
    # Fernet tokens are not tied to the key they are stored under: the token moves as is.
    bind.execute(
        setting.insert().values(
            key=key, value={"shop": shop}, secret=secret, updated_at=sa.func.now()
        )
    )
    bind.execute(setting.delete().where(setting.c.key == "inbox.shopify_secret"))


def downgrade():
    op.drop_table("shopify_delivery")
