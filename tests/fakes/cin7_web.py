"""A stand-in for Cin7's web app (not the API) on a loopback port: where the Shopify trigger goes.

It answers each GET with the next planned answer (then the default): a 200, an error
page, or a redirect such as the sign-in redirect Cin7 gives a wrong or expired link.
Every request is kept; ``on_hit`` runs while a request is being answered, so a test can
look at the database as it stands during the call.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.http import running

SIGN_IN = (302, "/Account/Login?ReturnUrl=%2FCloud%2FApps%2FShopifyConnector%2FUpdateOrderStatus")
TEMPLATE_PATH = "/Cloud/Apps/ShopifyConnector/UpdateOrderStatus"


@dataclass
class Cin7WebApp:
    """The fake's state: planned answers, the default, and the requests it received."""

    port: int = 0
    default: tuple[int, str | None] = (200, None)
    planned: list[tuple[int, str | None]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    on_hit: Callable[[str], None] | None = None

    def template(self, path: str = TEMPLATE_PATH) -> str:
        """A trigger URL template that calls this fake."""
        return f"http://127.0.0.1:{self.port}{path}?idCustomerAppsLink={{link_id}}&OrderId={{order_id}}"

    def links(self) -> list[str]:
        """The ``idCustomerAppsLink`` of every request, in order."""
        return [parse_qs(urlsplit(p).query).get("idCustomerAppsLink", [""])[0] for p in self.paths]

    def _answer(self) -> tuple[int, str | None]:
        return self.planned.pop(0) if self.planned else self.default


@contextmanager
def cin7_web(**options: Any) -> Iterator[Cin7WebApp]:
    """Serve a :class:`Cin7WebApp` on 127.0.0.1; yields it with its port set."""
    app = Cin7WebApp(**options)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            with lock:
                app.paths.append(self.path)
                status, location = app._answer()
            if app.on_hit is not None:
                app.on_hit(self.path)
            body = b"OK" if status < 300 else b"<html><body>Sign in</body></html>"
            self.send_response(status)
            if location is not None:
                self.send_header("Location", location)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    app.port = server.server_address[1]
    with running(server):
        yield app
