"""Serving the sandbox on a loopback port: from a state or an app, and stopping cleanly."""

from __future__ import annotations

import httpx
import pytest

from station.cin7.sandbox import (
    DEMO_API_KEY,
    DEMO_USERNAME,
    Limits,
    SandboxState,
    create_sandbox,
    seed_demo,
    serve_sandbox,
)
from tests.cin7.sandbox.conftest import AUTH, START, FakeClock, iso


def test_a_state_is_served_on_its_own_clock_with_the_limits_given(
    clock: FakeClock, http: httpx.Client
) -> None:
    state = SandboxState(clock=clock)
    seed_demo(state, order_count=3)
    with serve_sandbox(state, limits=Limits(per_second=1)) as server:
        assert server.state is state
        assert server.base_url == f"http://127.0.0.1:{server.port}/api"
        url = f"{server.base_url}/v1/SalesOrders"
        assert http.get(url, auth=AUTH).status_code == 200
        assert http.get(url, auth=AUTH).status_code == 429
        order_id = min(state.orders)
        clock.advance(5)
        http.put(url, auth=AUTH, json=[{"id": order_id, "stage": "On Hold"}])
        assert state.orders[order_id]["modifiedDate"] == iso(START + 5)


def test_an_app_is_served_as_built(http: httpx.Client) -> None:
    app = create_sandbox(SandboxState(), username="u", api_key="k")
    with serve_sandbox(app) as server:
        assert server.app is app and server.state is app.sandbox_state  # type: ignore[attr-defined]
        assert http.get(f"{server.base_url}/v1/Branches", auth=("u", "k")).status_code == 200


def test_limits_cannot_be_given_with_an_app_that_has_its_own() -> None:
    with pytest.raises(TypeError):
        serve_sandbox(create_sandbox(SandboxState()), limits=Limits())


def test_stop_frees_the_port(http: httpx.Client) -> None:
    server = serve_sandbox(SandboxState())
    url = f"{server.base_url}/v1/Branches"
    assert http.get(url, auth=(DEMO_USERNAME, DEMO_API_KEY)).status_code == 200
    server.stop()
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, auth=(DEMO_USERNAME, DEMO_API_KEY), timeout=2)
