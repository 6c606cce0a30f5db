"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import check, downgrade, upgrade

from station.extensions import migrate


def test_models_and_migrations_agree(app: Flask) -> None:
    with app.app_context():
        check()  # raises when autogenerate would find a difference


def test_the_migrations_have_one_head(app: Flask) -> None:
    with app.app_context():
        config = migrate.get_config()
        assert len(ScriptDirectory.from_config(config).get_heads()) == 1


def test_the_newest_migration_can_be_undone_and_redone(app: Flask) -> None:
    with app.app_context():
        downgrade(revision="-1")
        upgrade()
        check()
