"""Mounting the Cin7 sandbox inside Station's own web app (the demo's Cin7)."""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from station.config import SANDBOX_MOUNT, read_flag


def init_app(app: Flask) -> None:
    """With SANDBOX_ENABLED, serve a seeded sandbox at /sandbox (base URL /sandbox/api)."""
    if not read_flag(app.config, "SANDBOX_ENABLED"):
        return
    from station.cin7.sandbox import Limits, create_sandbox

    limits = Limits() if read_flag(app.config, "SANDBOX_LIMITS") else Limits.unlimited()
    sandbox = create_sandbox(limits=limits)
    app.extensions["station.sandbox"] = sandbox
    app.wsgi_app = DispatcherMiddleware(app.wsgi_app, {SANDBOX_MOUNT: sandbox})  # type: ignore[method-assign]
