"""Jobs wait out Cin7's 429s for their own time, set per job, and no longer.

A sync (``SYNC_DEADLINE``) and an outbox pass (``OUTBOX_PASS_DEADLINE``) give every call
they make a deadline: 429s are waited out until then, and no attempt starts after it.
Here the deadlines are 4 s: after a first 429 and a wait of 1-2 s comes a second attempt,
after a wait of 2-3 s more perhaps a third, and then no more; the work is kept for the next
run. Without them a job's call would keep trying for two minutes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from station.cin7.jobs import run_order_sync
from station.cin7.sandbox import Limits, LoggedRequest, SandboxServer
from station.config import job_seconds
from station.dispatch.jobs import run_outbox
from station.dispatch.options import DispatchOptions
from station.extensions import db
from station.models import OutboxItem, OutboxState, SyncRun
from tests.builders import open_orders, ship_sandbox_order
from tests.fakes.cin7 import sandbox_config

SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def sandbox_limits() -> Limits:
    return Limits.unlimited()


@pytest.fixture
def app_config(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
    return {**app_config, **sandbox_config(sandbox), "SYNC_DEADLINE": 4, "OUTBOX_PASS_DEADLINE": 4}


def assert_waited_until_the_deadline(calls: list[LoggedRequest]) -> None:
    assert 2 <= len(calls) <= 3 and {r.status for r in calls} == {429}
    assert calls[-1].t - calls[0].t <= 4


@SQLITE
def test_a_sync_job_waits_out_429s_until_its_deadline(app: Flask, sandbox: SandboxServer) -> None:
    sandbox.state.faults.fail_next(429, count=50)

    with app.app_context():
        assert run_order_sync(trigger="schedule") is None
        (run,) = db.session.scalars(select(SyncRun)).all()

    assert_waited_until_the_deadline(sandbox.state.api_calls())
    assert run.error and "rate limit" in run.error


@SQLITE
def test_an_outbox_pass_waits_out_429s_until_its_own_deadline(
    app: Flask, sandbox: SandboxServer
) -> None:
    with app.app_context():
        (cin7_id,) = open_orders(sandbox.state, 1)
        shipped = datetime.now(UTC) - timedelta(minutes=1)
        ship_sandbox_order(db.session, cin7_id, DispatchOptions(), now=shipped)
        db.session.commit()
    before = len(sandbox.state.api_calls())
    sandbox.state.faults.fail_next(429, count=50)

    with app.app_context():
        result = run_outbox()
        items = db.session.scalars(select(OutboxItem)).all()

    assert result is not None and result["done"] == 0
    assert_waited_until_the_deadline(sandbox.state.api_calls()[before:])
    assert all(item.state != OutboxState.DONE for item in items)


@pytest.mark.parametrize("value", ["soon", 0, -5])
def test_a_job_deadline_that_is_not_a_time_is_named(value: object) -> None:
    with pytest.raises(ValueError, match="OUTBOX_PASS_DEADLINE"):
        job_seconds({"OUTBOX_PASS_DEADLINE": value}, "OUTBOX_PASS_DEADLINE")
