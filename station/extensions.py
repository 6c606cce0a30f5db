"""Flask extensions, created unbound here and bound to the app in ``create_app``.

Flask-Migrate is the exception: it imports Alembic (about 10 MB resident in every web
worker that never migrates anything), so ``create_app`` leaves a stand-in in
``app.extensions["migrate"]`` and ``migrations(app)`` sets Flask-Migrate up on first use:
the ``station`` command does it when it builds its app (for ``station db``), and
``flask_migrate.upgrade()`` and friends do it through the stand-in when they first read it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import event

from station.db import Base, render_migration_item
from station.text import scrub_parameters

if TYPE_CHECKING:
    from flask_migrate import Migrate

db = SQLAlchemy(model_class=Base)
csrf = CSRFProtect()
login_manager = LoginManager()
htmx = Htmx()

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def init_app(app: Flask) -> None:
    """Bind every extension to ``app``."""
    db.init_app(app)
    app.extensions["migrate"] = _MigrationsOnFirstUse(app)
    csrf.init_app(app)
    htmx.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to continue."
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
            event.listen(db.engine, "savepoint", _begin_before_savepoint)
        event.listen(db.engine, "before_cursor_execute", _storable_parameters, retval=True)


def migrations(app: Flask) -> Migrate:
    """Flask-Migrate bound to ``app`` (and its ``db`` commands on ``app.cli``), set up once."""
    config = app.extensions.get("migrate")
    if config is not None and not isinstance(config, _MigrationsOnFirstUse):
        return config.migrate
    from flask_migrate import Migrate

    return Migrate(
        app,
        db,
        directory=str(MIGRATIONS_DIR),
        render_as_batch=True,
        render_item=render_migration_item,
    )


class _MigrationsOnFirstUse:
    """``app.extensions["migrate"]`` until something reads it; then Flask-Migrate's own.

    Flask-Migrate's functions (``upgrade``, ``check``, ...) and our Alembic ``env.py`` read
    ``current_app.extensions["migrate"]``; the first attribute they ask for sets
    Flask-Migrate up (``migrations``), which puts its real entry in this one's place.
    """

    def __init__(self, app: Flask) -> None:
        self._app = app

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # only Flask-Migrate's public attributes set it up
            raise AttributeError(name)
        migrations(self._app)
        return getattr(self._app.extensions["migrate"], name)


def _storable_parameters(
    _conn: object,
    _cursor: object,
    statement: str,
    parameters: Any,
    _context: object,
    _executemany: bool,
) -> tuple[str, Any]:
    """The last net under every statement (executemany and insertmanyvalues batches too).

    Entry points clean text (``station.text``); a NUL one of them missed would fail the
    statement on PostgreSQL, and would be cut short by SQLite, so it is dropped here, on
    both. A few hundred nanoseconds per statement with clean text; the log names the
    statement when a NUL got this far, so the entry point can be found and fixed.
    """
    scrubbed = scrub_parameters(parameters)
    if scrubbed is not parameters:
        log.warning("dropped a NUL or lone surrogate from the parameters of: %.120s", statement)
    return statement, scrubbed


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    """WAL lets readers work while a writer commits; foreign keys are off by default.

    The busy timeout is the connection's ``timeout`` (``DATABASE_BUSY_TIMEOUT``).
    """
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_before_savepoint(conn: Any, _name: str | None) -> None:
    """On SQLite, open the transaction a SAVEPOINT belongs in.

    pysqlite emits BEGIN only before a write, not before a SAVEPOINT; a savepoint opened
    first would itself be the transaction, and releasing it would commit at once, so a
    request refused later could not roll back what was written inside it.
    """
    driver = conn.connection.driver_connection
    if not driver.in_transaction:
        driver.execute("BEGIN")
