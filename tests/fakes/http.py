"""Serving over real HTTP on a free loopback port for a test: a Flask app, or any server."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return


@contextmanager
def running(server: socketserver.BaseServer) -> Iterator[None]:
    """Serve ``server`` on a thread until the block ends, then shut it down and close it."""
    # Polled often: shutting down waits for the loop's next poll (0.5 s by default),
    # and many tests start and stop a server.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve ``app`` on a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    with running(server):
        yield f"http://127.0.0.1:{server.server_port}"
