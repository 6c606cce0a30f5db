"""200 dispatched orders reach Cin7 in a handful of calls, inside Cin7's real limits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client, RetryPolicy
from station.cin7.ratelimit import CallLimits, InMemoryRateLimiter
from station.cin7.sandbox import DEMO_API_KEY, DEMO_USERNAME, Limits, SandboxServer
from station.dispatch.options import DispatchOptions
from station.dispatch.outbox import deliver_outbox
from tests.builders import open_orders, puts, ship_sandbox_order
from tests.fakes.cin7 import busiest_second
from tests.fakes.clock import Clock

pytestmark = pytest.mark.cin7_limits


@pytest.fixture
def sandbox_orders() -> int:
    return 200


@pytest.fixture
def sandbox_limits() -> Limits:
    return Limits()  # Cin7's own: 3 a second, 60 a minute


@pytest.fixture
def limited(sandbox: SandboxServer) -> Iterator[Cin7Client]:
    with Cin7Client.connect(
        sandbox.base_url,
        DEMO_USERNAME,
        DEMO_API_KEY,
        limiter=InMemoryRateLimiter(CallLimits()),
        retry=RetryPolicy(attempts=3),
        timeout=10.0,
    ) as client:
        yield client


@pytest.mark.slow
def test_200_dispatches_reach_cin7_in_at_most_ten_calls_within_its_limits(
    ctx: Session, limited: Cin7Client, sandbox: SandboxServer
) -> None:
    clock = Clock()
    state = sandbox.state
    ids = open_orders(state, 200)
    if len(ids) < 200:
        ids += state.add_orders(200 - len(ids))
    for cin7_id in ids:
        ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)

    result = deliver_outbox(ctx, limited, now=clock.later(seconds=1))

    calls = puts(state)
    assert result.done == 200 and len(calls) <= 10
    assert all(r.status == 200 for r in state.api_calls())  # never a 429
    assert busiest_second([r.t for r in state.api_calls()]) <= 3
    assert all(state.orders[i]["stage"] == "Dispatched" for i in ids)
