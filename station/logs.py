"""Logging: one line per event, as text for people or JSON for log shippers."""

from __future__ import annotations

import logging
import sys

from flask import Flask
from pythonjsonlogger.json import JsonFormatter

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def init_app(app: Flask) -> None:
    """Configure the ``station`` logger from LOG_FORMAT and LOG_LEVEL (once per process)."""
    configure(app.config.get("LOG_FORMAT", "text"), app.config.get("LOG_LEVEL", "INFO"))


def configure(fmt: str, level: str) -> None:
    """Send ``station`` log records to stderr in the chosen format."""
    logger = logging.getLogger("station")
    logger.setLevel(level.upper())
    for handler in list(logger.handlers):
        if getattr(handler, "_station", False):
            logger.removeHandler(handler)
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
    logger.addHandler(handler)
    logger.propagate = True
