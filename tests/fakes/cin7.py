"""A running Cin7 sandbox for tests, and questions about what it was asked."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

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


@contextmanager
def running_sandbox(
    state: SandboxState, *, limits: Limits | None = None
) -> Iterator[SandboxServer]:
    """Serve ``state`` over real HTTP on a free loopback port until the block ends."""
    app = create_sandbox(state, limits=limits or Limits())
    with serve_sandbox(app) as server:
        yield server


def sandbox_config(server: SandboxServer) -> dict[str, str]:
    """The Station settings that point at ``server``."""
    return {
        "CIN7_BASE_URL": server.base_url,
        "CIN7_USERNAME": DEMO_USERNAME,
        "CIN7_API_KEY": DEMO_API_KEY,
    }


def list_calls(requests: Sequence[LoggedRequest], resource: str) -> list[LoggedRequest]:
    """The GET list calls to one resource (``SalesOrders``), by-id gets excluded."""
    return [
        r for r in requests if r.method == "GET" and r.path.rstrip("/").endswith(f"/v1/{resource}")
    ]


def busiest_second(stamps: Sequence[float]) -> int:
    """The most calls that fell within any one-second window."""
    return busiest_window(stamps, 1.0)
