"""A running Cin7 sandbox for tests, and questions about what it was asked."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from station.cin7.sandbox import (
    DEMO_API_KEY,
    DEMO_USERNAME,
    Limits,
    LoggedRequest,
    SandboxServer,
    SandboxState,
    busiest_window,
    create_sandbox,
    serve_sandbox,
)
from station.cin7.sandbox.shopify import TRIGGER_PATH

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


@contextmanager
def running_sandbox(
    state: SandboxState,
    *,
    limits: Limits | None = None,
    middleware: Callable[[WSGIApplication], WSGIApplication] | None = None,
) -> Iterator[SandboxServer]:
    """Serve ``state`` over real HTTP on a free loopback port until the block ends.

    ``middleware`` wraps the sandbox's WSGI app (Flask's ``app.wsgi_app``), so the
    server's ``state`` stays reachable.
    """
    app = create_sandbox(state, limits=limits or Limits())
    if middleware is not None:
        app.wsgi_app = middleware(app.wsgi_app)  # type: ignore[method-assign]
    with serve_sandbox(app) as server:
        yield server


class LostAnswers:
    """Sandbox middleware: Cin7 makes the orders of a POST, and its answer goes astray.

    ``method="PUT"`` does the same to updates: Cin7 applies them, Station never hears.
    Each POST of sales orders the sandbox accepts (200) takes the next planned mishap,
    in the order planned: :meth:`hold` keeps the answer back until :meth:`release` (a
    test kills the worker that sent it meanwhile); :meth:`fail` swaps it for an error
    status, as a gateway that timed out after Cin7 acted would. Either way Cin7 has the
    orders and Station never heard their ids.
    """

    def __init__(
        self, app: WSGIApplication, *, hold_seconds: float = 60.0, method: str = "POST"
    ) -> None:
        self._app = app
        self._method = method
        self._hold_seconds = hold_seconds
        self._lock = threading.Lock()
        self._planned: list[int | str] = []  # "hold", or a status to answer with
        self._released = threading.Event()
        self.held = threading.Event()
        self.lost = 0  # answers held or swapped so far

    def hold(self) -> None:
        """Hold back the answer to the next accepted POST."""
        with self._lock:
            self._planned.append("hold")

    def fail(self, status: int) -> None:
        """Answer the next accepted POST with ``status`` once Cin7 has made its orders."""
        with self._lock:
            self._planned.append(status)

    def release(self) -> None:
        """Let the held answer go (to a client that may no longer listen)."""
        self._released.set()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if environ["REQUEST_METHOD"] != self._method or not path.endswith("/v1/SalesOrders"):
            return self._app(environ, start_response)
        answer: list[tuple[str, Any]] = []

        def keep(status: str, headers: Any, exc_info: Any = None) -> Callable[[bytes], object]:
            answer.append((status, headers))
            return lambda _: None

        body = b"".join(self._app(environ, keep))  # the sandbox acts on the POST here
        status, headers = answer[0]
        mishap: int | str | None = None
        with self._lock:
            if self._planned and status.startswith("200"):
                mishap = self._planned.pop(0)
                self.lost += 1
        if mishap == "hold":
            self.held.set()
            self._released.wait(self._hold_seconds)
        elif isinstance(mishap, int):
            phrase = HTTPStatus(mishap).phrase
            start_response(f"{mishap} {phrase}", [("Content-Type", "application/json")])
            return [b'{"Message": "An error has occurred."}']
        start_response(status, headers)
        return [body]


def sandbox_config(server: SandboxServer) -> dict[str, str]:
    """The Station settings that point at ``server``."""
    return {
        "CIN7_BASE_URL": server.base_url,
        "CIN7_USERNAME": DEMO_USERNAME,
        "CIN7_API_KEY": DEMO_API_KEY,
        "CIN7_PRIVATE": "1",  # the sandbox answers on 127.0.0.1 over plain http
        "CIN7_SHOPIFY_TRIGGER_URL": shopify_template(server),
    }


def shopify_template(server: SandboxServer) -> str:
    """The Shopify trigger URL template that calls ``server``'s trigger link."""
    return f"{server.root_url}{TRIGGER_PATH}?idCustomerAppsLink={{link_id}}&OrderId={{order_id}}"


def list_calls(requests: Sequence[LoggedRequest], resource: str) -> list[LoggedRequest]:
    """The GET list calls to one resource (``SalesOrders``), by-id gets excluded."""
    return [
        r for r in requests if r.method == "GET" and r.path.rstrip("/").endswith(f"/v1/{resource}")
    ]


def busiest_second(stamps: Sequence[float]) -> int:
    """The most calls that fell within any one-second window."""
    return busiest_window(stamps, 1.0)
