"""Cin7's budget is the account's, shared with its other apps: a sync still stores everything.

Every app on a Cin7 account shares 3 calls a second and 60 a minute. Here another app
spends 0.95 calls a second (57 a minute) on the sandbox's account while Station syncs
1,500 orders: Station meets 429s it cannot foresee, waits them out and finishes in one
run, and the sandbox, reading its own request log, never counted more than the limits.

The sandbox, Station's limiter and its waits share one clock that runs ``SPEED`` times
faster than the wall clock, so minutes of Cin7 time take seconds of the test's.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from flask import Flask
from sqlalchemy import func, select

from station.cin7.client import Cin7Client, Deadline
from station.cin7.ratelimit import CallLimits, SqlRateLimiter
from station.cin7.sandbox import (
    DEMO_API_KEY,
    DEMO_USERNAME,
    Limits,
    SandboxServer,
    SandboxState,
    busiest_window,
    create_sandbox,
)
from station.cin7.selection import OrderSelection
from station.cin7.sync import SyncSummary, sync_orders
from station.config import DefaultConfig
from station.extensions import db
from station.models import SalesOrder, SyncRun

pytestmark = [pytest.mark.slow, pytest.mark.cin7_limits]

log = logging.getLogger(__name__)

SPEED = 10.0  # sandbox seconds per wall-clock second
ORDERS = 1500
OTHER_APP_RATE = 0.95  # calls per (sandbox) second
RETRY_AFTER_429 = 0.25  # the other app's pause before trying a refused call again
EVERYTHING = OrderSelection(approved_only=False, include_dispatched=True, window_days=3650)


class FastClock:
    """Epoch seconds that pass ``speed`` times faster than the wall clock's, and a sleep in them."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._origin = time.time()

    def __call__(self) -> float:
        return self._origin + (time.time() - self._origin) * self.speed

    def sleep(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds) / self.speed)

    def utc(self) -> datetime:
        return datetime.fromtimestamp(self(), UTC)


class OtherApp:
    """Another integration on the same Cin7 account spending ``rate`` calls a second: a call
    every 1/rate seconds, and a refused one tried again a quarter of a second later."""

    def __init__(self, base_url: str, clock: FastClock, rate: float) -> None:
        self._http = httpx.Client(
            base_url=base_url.rstrip("/") + "/", auth=(DEMO_USERNAME, DEMO_API_KEY), timeout=30
        )
        self._clock = clock
        self._rate = rate
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="other-cin7-app", daemon=True)

    def __enter__(self) -> OtherApp:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)
        self._http.close()

    def _run(self) -> None:
        start, sent = self._clock(), 0
        while not self._stop.is_set():
            ahead = start + sent / self._rate - self._clock()
            if ahead > 0 and self._stop.wait(ahead / self._clock.speed):
                return
            while self._http.get("v1/Branches", params={"rows": 1}).status_code == 429:
                if self._stop.wait(RETRY_AFTER_429 / self._clock.speed):
                    return
            sent += 1


def without_retry_after(wsgi: Any) -> Any:
    """WSGI middleware: Cin7 may not send Retry-After with its 429s, so Station must not need it."""

    def app(environ: Any, start_response: Any) -> Any:
        def start(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            kept = [(k, v) for k, v in headers if k.lower() != "retry-after"]
            return start_response(status, kept, exc_info)

        return wsgi(environ, start)

    return app


@pytest.fixture
def clock() -> FastClock:
    return FastClock(SPEED)


@pytest.fixture
def account(clock: FastClock) -> Iterator[SandboxServer]:
    """A Cin7 account on the fast clock, enforcing Cin7's limits, with 1,500 orders."""
    state = SandboxState(clock=clock)
    ids = state.add_orders(ORDERS, start=clock.utc() - timedelta(days=3))
    for order_id in ids:  # every order is one the sync stores (none void)
        state.orders[order_id].update(isVoid=False)
        if state.orders[order_id]["status"] == "VOID":
            state.orders[order_id]["status"] = "APPROVED"
    app = create_sandbox(state, limits=Limits(), clock=clock)
    app.wsgi_app = without_retry_after(app.wsgi_app)  # type: ignore[method-assign]
    server = SandboxServer(app)
    try:
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_sync_beside_another_app_stores_every_order_within_the_limits(
    app: Flask, account: SandboxServer, clock: FastClock
) -> None:
    state = account.state
    started_wall, started = time.monotonic(), clock()
    with app.app_context():
        limiter = SqlRateLimiter(db.engine, CallLimits(), clock=clock, sleep=clock.sleep)
        deadline = Deadline(
            clock.utc() + timedelta(seconds=DefaultConfig.SYNC_DEADLINE), clock=clock.utc
        )
        with (
            OtherApp(account.base_url, clock, OTHER_APP_RATE),
            Cin7Client.connect(
                account.base_url,
                DEMO_USERNAME,
                DEMO_API_KEY,
                limiter=limiter,
                sleep=clock.sleep,
                deadline=deadline,
            ) as client,
        ):
            clock.sleep(61)  # the other app fills its minute first
            outcome = sync_orders(db.session, client, EVERYTHING, now=clock.utc)
        stored = db.session.scalar(select(func.count()).select_from(SalesOrder))
        runs = db.session.scalars(select(SyncRun)).all()
    wall, elapsed = time.monotonic() - started_wall, clock() - started

    calls = state.api_calls(since=started)
    counted = [r.t for r in calls if r.status != 429]
    station = [r for r in calls if "Branches" not in r.path]
    other = [r for r in calls if "Branches" in r.path]
    figures: dict[str, Any] = {
        "wall_s": round(wall, 1),
        "sandbox_s": round(elapsed, 1),
        "station_calls": len(station),
        "station_429s": sum(r.status == 429 for r in station),
        "other_calls": len(other),
        "other_429s": sum(r.status == 429 for r in other),
        "busiest_second": busiest_window(counted, 1.0),
        "busiest_minute": busiest_window(counted, 60.0),
    }
    print(f"shared budget figures: {figures}; {outcome.describe()}")

    assert isinstance(outcome, SyncSummary), outcome
    assert stored == ORDERS
    assert [run.error for run in runs] == [None]  # one run, and it did not fail
    assert figures["busiest_second"] <= 3 and figures["busiest_minute"] <= 60
    # The other app really did hold the account near its limit: Station was refused.
    assert figures["station_429s"] > 0
    assert sum(r.status != 429 for r in other) >= 0.8 * OTHER_APP_RATE * (elapsed - 60)
