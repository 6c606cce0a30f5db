"""Logging: one line per event, as text for people or JSON for log shippers.

Station's handler sits on the root logger, so Station's own lines and those of werkzeug,
huey and Alembic are written once each, in one format. Two libraries put a plain stderr
handler on the root logger themselves — python-escpos calls ``logging.basicConfig()``
when imported and Alembic's ``env.py`` would run ``fileConfig`` — and each such handler
printed every line a second time; ``configure`` removes them and ``env.py`` leaves the
logging alone once Station has set it up.
"""

from __future__ import annotations

import logging
import sys

from flask import Flask
from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Loggers whose INFO lines an operator wants besides Station's: migrations being applied.
INFO_LOGGERS = ("alembic.runtime.migration",)


def init_app(app: Flask) -> None:
    """Configure logging from LOG_FORMAT and LOG_LEVEL (once per process)."""
    configure(app.config.get("LOG_FORMAT", "text"), app.config.get("LOG_LEVEL", "INFO"))


def configure(fmt: str, level: str) -> None:
    """Write log records to stderr once each, in the chosen format, ``station`` at ``level``."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_station", False) or type(handler) is logging.StreamHandler:
            root.removeHandler(handler)  # ours from an earlier call, or a basicConfig one
    station = logging.getLogger("station")
    for handler in list(station.handlers):
        if getattr(handler, "_station", False):
            station.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler._station = True  # type: ignore[attr-defined]
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"levelname": "level"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(TEXT_FORMAT))
    root.addHandler(handler)
    station.setLevel(level.upper())
    station.propagate = True
    for name in INFO_LOGGERS:
        if logging.getLogger(name).level == logging.NOTSET:
            logging.getLogger(name).setLevel(logging.INFO)


def configured() -> bool:
    """Whether Station has set up logging in this process (Alembic's env.py asks)."""
    return any(getattr(h, "_station", False) for h in logging.getLogger().handlers)
