"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import check, downgrade, upgrade
from sqlalchemy import select

from station.db import utcnow
from station.extensions import db, migrations
from station.inbox.intake import take_order
from station.inbox.orders import read_order
from station.inbox.shopify_shops import bound_shops, shop_secret
from station.models import InboxSource, SalesOrder
from station.orders import OrderFilters, list_orders
from station.settings import settings_store
from tests.builders import add_order
from tests.inbox.samples import order_json

pytestmark = pytest.mark.both_databases


def test_models_and_migrations_agree(app: Flask) -> None:
    with app.app_context():
        check()  # raises when autogenerate would find a difference


def test_the_migrations_have_one_head(app: Flask) -> None:
    with app.app_context():
        config = migrations(app).get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_the_newest_migration_can_be_undone_and_redone(app: Flask) -> None:
    with app.app_context():
        downgrade(revision="-1")
        upgrade()
        check()


def test_the_one_shopify_secret_of_old_is_bound_to_the_shop_its_orders_came_from(
    app: Flask,
) -> None:
    with app.app_context():
        downgrade(revision="5b1f0e7c3a94-1")  # just before the binding migration
        store = settings_store(db.session)
        store.set_secret("inbox.shopify_secret", "shpss_from_before")
        draft = read_order(order_json())
        shop = "Kete-Co.myshopify.com"
        take_order(
            db.session, draft, shop=shop, source=InboxSource.SHOPIFY, payload={}, now=utcnow()
        )
        db.session.commit()
        db.session.remove()

        upgrade()

        store = settings_store(db.session)
        assert bound_shops(db.session) == ["kete-co.myshopify.com"]
        assert shop_secret(store, "kete-co.myshopify.com") == "shpss_from_before"
        assert not store.has_secret("inbox.shopify_secret")


def test_orders_kept_before_search_folded_accents_are_found_without_them(app: Flask) -> None:
    with app.app_context():
        add_order(db.session, delivery_last_name="Tūhoe", company="Müller Café")
        db.session.commit()
        db.session.remove()
        downgrade(revision="d2f5a8c1e7b4-1")  # the search text as it was: lower-cased only
        assert "tūhoe" in db.session.scalar(select(SalesOrder.search_text))
        db.session.remove()

        upgrade()

        assert db.session.scalar(select(SalesOrder.search_text)) == (
            "so-5001 muller cafe mere tuhoe 1010"
        )
        found = list_orders(db.session, OrderFilters(query="TUHOE")).orders
        assert [o.reference for o in found] == ["SO-5001"]
