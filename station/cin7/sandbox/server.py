"""Serving the sandbox over real HTTP on a daemon thread (tests, the CLI, benchmarks)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from station.cin7.sandbox.app import create_sandbox
from station.cin7.sandbox.state import Limits, SandboxState

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

# How often the serving loop looks for stop(): short, so a test's server stops at once.
POLL_SECONDS = 0.02


class _QuietHandler(WSGIRequestHandler):
    """The sandbox keeps its own request log; the per-request access line is noise."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


class SandboxServer:
    """A running sandbox: ``base_url`` is what Station's Cin7 base URL should be."""

    def __init__(self, app: WSGIApplication, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server = make_server(host, port, app, threaded=True, request_handler=_QuietHandler)
        self.port: int = self._server.server_port
        self.base_url = f"http://{host}:{self.port}/api"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": POLL_SECONDS},
            name=f"cin7-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()

    @property
    def root_url(self) -> str:
        """The server's address without ``/api`` (the Shopify trigger and ``/_sandbox`` live here)."""
        return self.base_url.removesuffix("/api")

    @property
    def state(self) -> SandboxState:
        """The account the sandbox serves (the app must come from ``create_sandbox``)."""
        return self.app.sandbox_state  # type: ignore[attr-defined,no-any-return]

    def stop(self) -> None:
        """Stop serving, free the port and wait for the thread."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def serve_sandbox(
    app_or_state: Flask | SandboxState | WSGIApplication,
    *,
    host: str = "127.0.0.1",
    port: int = 0,
    limits: Limits | None = None,
) -> SandboxServer:
    """Serve a sandbox app, or a ``SandboxState`` (on its own clock), on a free loopback port.

    ``limits`` applies only when given a state; an app already has its own.
    """
    if isinstance(app_or_state, SandboxState):
        app_or_state = create_sandbox(
            app_or_state, limits=limits or Limits(), clock=app_or_state.clock
        )
    elif limits is not None:
        raise TypeError("limits only apply when serving a SandboxState")
    return SandboxServer(app_or_state, host, port)
