"""Station: a self-hosted shipping-label station for Cin7 Omni.

Importing the package imports only Flask: every ``station`` subcommand imports it (through
``station.cli``), and those that build no app (``station agent``, ``station sandbox``) need
neither SQLAlchemy nor the rest of Station, which ``create_app`` imports.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

from flask import Flask

from station.config import DefaultConfig, request_size_limit, submit_lease
from station.private_files import private_file, private_folder
from station.version import __version__

__all__ = ["__version__", "create_app"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the Station app: defaults, then instance/station.cfg, then STATION_*, then ``config``.

    The instance folder (database, keys, job queue) is ``INSTANCE_PATH`` from ``config`` or
    ``STATION_INSTANCE_PATH``, else Flask's default ``instance/`` beside the package.
    """
    instance_path = (config or {}).get("INSTANCE_PATH") or os.environ.get("STATION_INSTANCE_PATH")
    app = Flask(__name__, instance_path=instance_path, instance_relative_config=True)
    app.config.from_object(DefaultConfig)
    app.config.from_pyfile("station.cfg", silent=True)
    app.config.from_prefixed_env("STATION")
    if config:
        app.config.update(config)
    app.config["MAX_CONTENT_LENGTH"] = request_size_limit(app.config["MAX_CONTENT_LENGTH"])
    submit_lease(app.config)  # refuses a lease one Cin7 call could outlast
    _init_instance(app)

    from station import extensions, jobs, logs, settings
    from station.cin7 import mount as cin7_mount
    from station.cin7 import tasks as cin7_tasks
    from station.cin7 import wiring as cin7_wiring
    from station.dispatch import catalog
    from station.dispatch import tasks as dispatch_tasks
    from station.inbox import tasks as inbox_tasks
    from station.printing import limits as printer_limits
    from station.printing import tasks as printing_tasks
    from station.web import proxy, register_blueprints
    from station.web.sessions import sandbox_controls_guard

    logs.init_app(app)
    extensions.init_app(app)
    settings.init_app(app)
    catalog.listen()
    printer_limits.init_app(app)
    cin7_wiring.init_app(app)
    cin7_mount.init_app(app, guard=partial(sandbox_controls_guard, app))
    jobs.init_app(
        app,
        [
            cin7_tasks.register,
            printing_tasks.register,
            dispatch_tasks.register,
            inbox_tasks.register,
        ],
    )
    register_blueprints(app)
    proxy.init_app(app)
    return app


def _init_instance(app: Flask) -> None:
    """Fill the settings that depend on the instance folder: database path and keys."""
    instance = private_folder(Path(app.instance_path))
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'station.db'}"
    _private_sqlite(app.config["DATABASE_URL"])
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config.setdefault(
        "SQLALCHEMY_ENGINE_OPTIONS",
        _engine_options(
            app.config["DATABASE_URL"],
            busy_timeout=float(app.config["DATABASE_BUSY_TIMEOUT"]),
            connect_timeout=float(app.config["DATABASE_CONNECT_TIMEOUT"]),
        ),
    )
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")


def _private_sqlite(url: str) -> None:
    """Create a SQLite database file 0600 before SQLite would create it with the umask's mode.

    A missing folder is left missing: a mistyped path then fails the health check with
    the reason instead of starting on a new, empty database.
    """
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        database = Path(parsed.database)
        if database.parent.is_dir():
            private_file(database)


def _engine_options(url: str, *, busy_timeout: float, connect_timeout: float) -> dict[str, Any]:
    """Engine options per backend: SQLite waits up to ``busy_timeout`` s for the write lock;
    PostgreSQL gives up connecting after ``connect_timeout`` s (libpq counts whole seconds,
    2 at least)."""
    if url.startswith("sqlite"):
        # pysqlite's ``timeout`` is SQLite's busy timeout. Its default transaction handling
        # is kept on purpose: BEGIN comes just before a transaction's first write, so the
        # write waits here for the lock; reads before it see the last commit and never hold
        # a snapshot that a later write would have to upgrade (SQLITE_BUSY at once).
        return {"connect_args": {"timeout": busy_timeout}}
    if url.startswith("postgresql"):
        # PostgreSQL compiles a query to machine code (JIT) once its estimated cost passes
        # jit_above_cost. The order list's ship verdict (EXISTS over order lines) passes it
        # at tens of thousands of orders: 3 s of compiling for 0.3 s of work, on every
        # request. Station's queries are short; JIT only ever costs them.
        connect_args = {"options": "-c jit=off", "connect_timeout": max(2, round(connect_timeout))}
        return {"pool_pre_ping": True, "connect_args": connect_args}
    return {"pool_pre_ping": True}


def _instance_secret(path: Path) -> str:
    """A random secret kept in the instance folder, so sessions survive restarts."""
    from station.secretbox import instance_secret

    return instance_secret(path, lambda: secrets.token_hex(32).encode()).decode()
