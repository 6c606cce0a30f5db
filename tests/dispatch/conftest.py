"""Shared fixtures of the dispatch tests: the database session and a Cin7 sandbox client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from station.cin7.client import Cin7Client, RetryPolicy
from station.cin7.ratelimit import CallLimits, InMemoryRateLimiter
from station.cin7.sandbox import DEMO_API_KEY, DEMO_USERNAME, Limits, SandboxServer

FREE = CallLimits(per_second=10_000, per_minute=10_000, per_day=10_000_000)


@pytest.fixture
def sandbox_orders() -> int:
    return 30


@pytest.fixture
def sandbox_limits() -> Limits:
    return Limits.unlimited()


def connect(sandbox: SandboxServer, **hooks: list[Any]) -> Cin7Client:
    """A client of the sandbox, unpaced; ``hooks`` are httpx event hooks (transport faults)."""
    return Cin7Client.connect(
        sandbox.base_url,
        DEMO_USERNAME,
        DEMO_API_KEY,
        limiter=InMemoryRateLimiter(FREE),
        retry=RetryPolicy(attempts=2, base_wait=0.0),
        sleep=lambda _: None,
        timeout=5.0,
        event_hooks=hooks,
    )


@pytest.fixture
def cin7(sandbox: SandboxServer) -> Iterator[Cin7Client]:
    with connect(sandbox) as client:
        yield client
