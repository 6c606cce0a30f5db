"""Fixtures for the sandbox's own tests: a clock moved by hand and sandboxes served over HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from station.cin7.sandbox import (
    DEMO_API_KEY,
    DEMO_USERNAME,
    Limits,
    SandboxServer,
    SandboxState,
    create_sandbox,
    seed_demo,
    serve_sandbox,
)
from tests.fakes.clock import FakeClock

AUTH = (DEMO_USERNAME, DEMO_API_KEY)
START = 1_777_777_777.0  # 2026-05-03T03:09:37Z


def iso(t: float) -> str:
    """Epoch seconds as Cin7 writes dates."""
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Served:
    """A sandbox running on a loopback port, with helpers that speak its API."""

    server: SandboxServer
    clock: FakeClock
    http: httpx.Client

    @property
    def state(self) -> SandboxState:
        return self.server.state

    def url(self, path: str) -> str:
        return self.server.root_url + path

    def api(self, method: str, path: str, *, auth: Any = AUTH, **kwargs: Any) -> httpx.Response:
        """Call ``<base_url>/v1/<path>`` with the demo credentials unless told otherwise."""
        return self.http.request(method, f"{self.server.base_url}/v1/{path}", auth=auth, **kwargs)

    def get(self, path: str, **params: Any) -> httpx.Response:
        return self.api("GET", path, params=params)

    def ids(self, resource: str = "SalesOrders", **params: Any) -> list[int]:
        response = self.get(resource, **params)
        assert response.status_code == 200, response.text
        return [record["id"] for record in response.json()]

    def put(self, items: Any) -> list[dict[str, Any]]:
        response = self.api("PUT", "SalesOrders", json=items)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def post(self, items: Any) -> list[dict[str, Any]]:
        response = self.api("POST", "SalesOrders", json=items)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def order(self, order_id: int) -> dict[str, Any]:
        """The order as the sandbox keeps it, read through the control endpoint (no API call)."""
        response = self.http.get(self.url(f"/_sandbox/orders/{order_id}"))
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    def first_id(self) -> int:
        return min(self.state.orders)


Serve = Callable[..., Served]


@pytest.fixture(scope="session")
def http() -> Iterator[httpx.Client]:
    """One HTTP client for the whole run (building one per test costs an SSL context)."""
    with httpx.Client(timeout=10) as client:
        yield client


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def serve(clock: FakeClock, http: httpx.Client) -> Iterator[Serve]:
    """Start sandboxes on free ports (stopped after the test); the fake clock drives them."""
    servers: list[SandboxServer] = []

    def start(
        *,
        order_count: int = 12,
        orders: list[dict[str, Any]] | None = None,
        limits: Limits = Limits.unlimited(),
    ) -> Served:
        state = SandboxState(clock=clock)
        seed_demo(state, order_count=0 if orders is not None else order_count)
        for order in orders or []:
            state.orders[order["id"]] = order
        server = serve_sandbox(create_sandbox(state, limits=limits, clock=clock))
        servers.append(server)
        return Served(server, clock, http)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def served(serve: Serve) -> Served:
    """A demo account with a dozen orders and no rate limits."""
    return serve()


@pytest.fixture
def limited(serve: Serve) -> Served:
    """A demo account enforcing Cin7's own limits: 3 a second, 60 a minute, 5,000 a day."""
    return serve(limits=Limits())
