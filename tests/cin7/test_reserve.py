"""The day's last Cin7 calls are kept for dispatch write-backs; reads stop before them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session

from station.cin7.budget import CountingLimiter, ReserveKeepingLimiter, daily_reserve
from station.cin7.errors import Cin7BudgetReserved
from station.cin7.ratelimit import (
    CallLimits,
    InMemoryRateLimiter,
    RedisRateLimiter,
    SqlRateLimiter,
)
from station.cin7.sandbox import SandboxServer
from station.db import Base
from station.dispatch.jobs import run_outbox
from station.dispatch.options import DispatchOptions
from station.extensions import db
from station.inbox.jobs import run_inbox_submission
from station.models import Cin7CallSlot, InboxOrder, SyncRun
from tests.builders import open_orders, puts, ship_sandbox_order
from tests.conftest import AuthActions
from tests.fakes.cin7 import sandbox_config
from tests.fakes.clock import Clock, FakeClock
from tests.inbox.builders import take
from tests.services import _redis

KEPT = "kept for dispatch updates"
DAY = CallLimits(per_second=100, per_minute=100, per_day=10, margin=0.0)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["memory", "sqlite", "postgres", "redis"])
def limiter(
    request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path
) -> Iterator[CountingLimiter]:
    if request.param == "memory":
        yield InMemoryRateLimiter(DAY, clock=clock, sleep=clock.sleep)
    elif request.param == "redis":
        client = _redis()
        prefix = f"station-test-{uuid.uuid4().hex[:8]}"
        yield RedisRateLimiter(client, DAY, prefix=prefix, clock=clock, sleep=clock.sleep)
        client.delete(f"{prefix}:cin7:calls")
    else:
        url = (
            f"sqlite:///{tmp_path / 'limit.db'}"
            if request.param == "sqlite"
            else request.getfixturevalue("postgres_url")
        )
        engine = create_engine(url)
        Base.metadata.tables["cin7_call_slot"].create(engine, checkfirst=True)
        key = f"test-{uuid.uuid4().hex[:8]}"
        yield SqlRateLimiter(engine, DAY, key=key, clock=clock, sleep=clock.sleep)
        engine.dispose()


def test_reads_stop_at_the_reserve_and_write_backs_spend_it(
    limiter: CountingLimiter, clock: FakeClock
) -> None:
    reads = ReserveKeepingLimiter(limiter, reserve=3)
    for _ in range(7):
        reads.settle(reads.acquire())
        clock.now += 60

    with pytest.raises(Cin7BudgetReserved, match="3 calls left, kept for dispatch updates"):
        reads.acquire()
    for _ in range(3):
        limiter.settle(limiter.acquire())  # the outbox's limiter
    assert limiter.day_use(below=10).calls == 10


def test_reads_resume_when_the_oldest_calls_are_a_day_old(
    limiter: CountingLimiter, clock: FakeClock
) -> None:
    reads = ReserveKeepingLimiter(limiter, reserve=3)
    first = clock.now
    for _ in range(7):
        reads.settle(reads.acquire())
        clock.now += 60

    with pytest.raises(Cin7BudgetReserved) as refused:
        reads.acquire()
    assert refused.value.retry_after == pytest.approx(first + 86_400 - clock.now)

    clock.now = first + 86_400 + 1
    reads.settle(reads.acquire())


def test_a_reserve_as_large_as_the_day_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="CIN7_DAILY_RESERVE"):
        ReserveKeepingLimiter(InMemoryRateLimiter(DAY), reserve=10)


@pytest.mark.parametrize("value", ["lots", "5.5", None])
def test_a_reserve_that_is_not_a_number_is_named(value: object) -> None:
    with pytest.raises(ValueError, match="CIN7_DAILY_RESERVE must be a whole number"):
        daily_reserve(value)


# The whole app: the limiter's log as the day's other work left it ---------------------


@pytest.fixture
def sandbox_orders() -> int:
    return 10


@pytest.fixture
def app_config(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
    return {**app_config, **sandbox_config(sandbox)}


def _spent_today(app: Flask, calls: int) -> None:
    """Fill the shared limiter's log with ``calls`` made an hour ago."""
    hour_ago = time.time() - 3600
    with app.app_context():
        db.session.execute(
            insert(Cin7CallSlot),
            [{"key": "station", "at": hour_ago + i / 1000} for i in range(calls)],
        )
        db.session.commit()


@pytest.mark.cin7_limits
def test_near_the_daily_limit_a_sync_is_refused_with_the_reason(
    app: Flask, client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    _spent_today(app, 4_600)
    auth.login()

    client.post("/orders/sync")
    page = client.get("/orders").get_data(as_text=True)

    assert sandbox.state.api_calls() == []
    with app.app_context():
        run = db.session.scalar(select(SyncRun))
        assert run is not None and run.error is not None
        assert "Cin7's daily budget is nearly spent: 400 calls left, " + KEPT in run.error
        assert "syncing and lookups resume after" in run.error
    assert KEPT in page


@pytest.mark.cin7_limits
def test_near_the_daily_limit_a_lookup_says_why_it_did_not_ask(
    app: Flask, client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    _spent_today(app, 4_600)
    auth.login("packer")

    answer = client.get("/orders/why-missing?q=SO-NOPE", headers={"HX-Request": "true"})

    assert sandbox.state.api_calls() == []
    assert KEPT in answer.get_data(as_text=True)


@pytest.mark.cin7_limits
def test_near_the_daily_limit_a_dispatch_still_reaches_cin7(
    app: Flask, ctx: Session, sandbox: SandboxServer
) -> None:
    _spent_today(app, 4_600)
    cin7_id = open_orders(sandbox.state, 1)[0]
    ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=Clock().now)
    ctx.commit()

    result = run_outbox()

    assert result is not None and result["failed"] == result["retrying"] == 0, result
    assert puts(sandbox.state)
    assert sandbox.state.orders[cin7_id]["stage"] == "Dispatched"


def test_near_the_daily_limit_an_inbox_order_waits_and_is_sent_again_later(
    app: Flask, ctx: Session, sandbox: SandboxServer
) -> None:
    _spent_today(app, 4_600)
    order_id = take(ctx).id

    run_inbox_submission([order_id], by="manager")

    order = db.session.get(InboxOrder, order_id)
    assert order is not None
    assert [r for r in sandbox.state.api_calls() if r.method == "POST"] == []
    assert order.cin7_id is None and order.resubmit_at is not None  # Cin7 failed, not the order
    assert KEPT in (order.error or "")
