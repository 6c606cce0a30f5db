"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from flask import Flask
from flask_migrate import check


def test_models_and_migrations_agree(app: Flask) -> None:
    with app.app_context():
        check()  # raises when autogenerate would find a difference
