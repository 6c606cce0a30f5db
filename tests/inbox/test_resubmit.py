"""Submissions Cin7 never confirmed are sent again by the sweep, and never made twice."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from station import create_app
from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.inbox.jobs import run_inbox_resubmission
from station.inbox.resubmit import RetryTiming, due_for_resubmission, retry_timing
from station.inbox.submit import scheduled_submissions
from station.models import InboxOrder
from tests.fakes.cin7 import sandbox_config
from tests.inbox.builders import TIMING, calls, cin7, failing_post, kinds, rule, submit_at, take

T0 = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)


def due(session: Session, at: datetime) -> list[int]:
    return due_for_resubmission(session, now=at, timing=TIMING)


def test_a_run_cut_off_after_cin7_made_the_order_is_found_again_not_sent_again(
    ctx: Session, sandbox: SandboxServer
) -> None:
    order = take(ctx)
    order.submission_key, order.submitting_since = "IN1-ABC123", T0  # claimed; the worker died
    ctx.commit()
    with cin7(sandbox) as client:  # its POST had reached Cin7
        client.create_sales_orders(
            [{"reference": "IN1-ABC123", "lineItems": [{"code": "MUG-SAND", "qty": 1}]}]
        )

    assert due(ctx, T0 + TIMING.lease) == []  # the run may still be going
    assert due(ctx, T0 + TIMING.lease + timedelta(seconds=1)) == [order.id]
    outcome = submit_at(ctx, sandbox, order, T0 + TIMING.lease + timedelta(seconds=1))

    assert outcome.submitted == (order.id,) and calls(sandbox.state, "POST") == 1
    assert [o["reference"] for o in sandbox.state.orders.values()] == ["IN1-ABC123"]
    (found,) = [e.message for e in order.events if e.kind == "after_submit"]
    assert found.startswith("Found in Cin7 as IN1-ABC123")
    assert order.folder.name == "Submitted" and due(ctx, T0 + timedelta(days=1)) == []


def test_an_order_cin7_failed_is_sent_again_later_each_wait_twice_the_last(
    ctx: Session, sandbox: SandboxServer
) -> None:
    order = take(ctx)

    first = submit_at(ctx, sandbox, order, T0, request=[failing_post(sandbox)])

    assert first.refused == (order.id,) and order.folder.name == "Errors"
    assert order.resubmit_at == T0 + timedelta(minutes=1) and order.submit_failures == 1
    assert (order.error or "").endswith("Station sends it again by itself at 03:01:00 UTC.")
    assert due(ctx, T0 + timedelta(seconds=59)) == []
    assert due(ctx, T0 + timedelta(minutes=1)) == [order.id]

    submit_at(ctx, sandbox, order, T0 + timedelta(minutes=1), request=[failing_post(sandbox)])
    assert order.resubmit_at == T0 + timedelta(minutes=3) and order.submit_failures == 2

    last = submit_at(ctx, sandbox, order, T0 + timedelta(minutes=3))

    assert last.submitted == (order.id,) and order.folder.name == "Submitted"
    assert (order.resubmit_at, order.submit_failures, order.error) == (None, 0, None)
    assert len(sandbox.state.orders) == 1 and calls(sandbox.state, "POST") == 3
    assert kinds(order).count("not_submitted_error") == 2


def test_a_rule_that_schedules_an_order_again_does_not_cut_its_wait_after_cin7_failed(
    ctx: Session, sandbox: SandboxServer
) -> None:
    rule(ctx, "not_submitted_error", [("submit", "")], name="try again")
    order = take(ctx)

    submit_at(ctx, sandbox, order, T0, request=[failing_post(sandbox)])

    assert order.scheduled_by == "rule: try again"  # the rule scheduled it at once
    assert scheduled_submissions(ctx, now=T0 + timedelta(seconds=59)) == {}
    assert scheduled_submissions(ctx, now=T0 + timedelta(minutes=1)) == {
        "rule: try again": [order.id]
    }


def test_waits_grow_to_an_hour_and_no_further() -> None:
    waits = [TIMING.retry_at(n, T0) - T0 for n in range(1, 10)]

    assert waits[:3] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert all(a <= b for a, b in pairwise(waits)) and waits[-1] == timedelta(hours=1)


def test_an_order_refused_for_its_own_sake_waits_for_a_person(
    ctx: Session, sandbox: SandboxServer
) -> None:
    order = take(ctx, lines=[{"sku": "NOT-IN-CIN7", "quantity": 1}])

    outcome = submit_at(ctx, sandbox, order, T0)

    assert outcome.refused == (order.id,) and order.resubmit_at is None
    assert due(ctx, T0 + timedelta(days=1)) == []


def test_cin7_refusing_the_credentials_waits_for_a_person(
    ctx: Session, sandbox: SandboxServer
) -> None:
    order = take(ctx)
    sandbox.state.faults.fail_next(401)

    outcome = submit_at(ctx, sandbox, order, T0)

    assert outcome.refused == (order.id,) and "refused the API username/key" in (order.error or "")
    assert order.resubmit_at is None and due(ctx, T0 + timedelta(days=1)) == []


def test_the_timing_comes_from_the_config() -> None:
    timing = retry_timing({"INBOX_SUBMIT_LEASE": "30", "INBOX_RESUBMIT_DELAY": 5})

    assert (timing.lease, timing.first_wait) == (timedelta(seconds=30), timedelta(seconds=5))
    assert retry_timing({}) == RetryTiming()


def test_a_lease_one_cin7_call_could_outlast_stops_station_starting(tmp_path: Path) -> None:
    config = {"INSTANCE_PATH": str(tmp_path), "TESTING": True, "INBOX_SUBMIT_LEASE": "60"}

    with pytest.raises(ValueError) as refused:
        create_app(config)
    app = create_app({**config, "CIN7_LIMIT_WAIT": "20", "CIN7_TIMEOUT": 5})

    assert str(refused.value) == (
        "INBOX_SUBMIT_LEASE must be longer than one Cin7 call can take: CIN7_LIMIT_WAIT "
        "(120 s waiting for the rate limiter) + CIN7_TIMEOUT (30 s) = 150 s, not 60 s. "
        "Raise the lease or lower those two."
    )
    # runs start sending no later than 35 s after renewing; the limiter waits at most 20 s
    assert retry_timing(app.config).send_by(T0) == T0 + timedelta(seconds=35)
    assert app.extensions["station.cin7"].limiter.limits.max_wait == 20


@pytest.mark.parametrize("setting", ["soon", "0", "-1"])
def test_a_cin7_wait_that_is_not_a_number_of_seconds_stops_station_starting(
    tmp_path: Path, setting: str
) -> None:
    with pytest.raises(ValueError, match="CIN7_LIMIT_WAIT must be a .*number of seconds"):
        create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True, "CIN7_LIMIT_WAIT": setting})


class TestTheSweepJob:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
        short_lease = {"INBOX_SUBMIT_LEASE": 60, "CIN7_LIMIT_WAIT": 20, "CIN7_TIMEOUT": 5}
        return {**app_config, **sandbox_config(sandbox), **short_lease}

    def test_it_sends_again_what_is_due_and_asks_cin7_nothing_when_idle(
        self, app: Flask, sandbox: SandboxServer
    ) -> None:
        with app.app_context():
            assert run_inbox_resubmission() is None
            assert sandbox.state.api_calls() == []
            cut_off, live = take(db.session, id="1"), take(db.session, id="2")
            now = datetime.now(UTC)
            cut_off.submission_key, cut_off.submitting_since = "IN1-CUT", now - timedelta(hours=1)
            live.submission_key, live.submitting_since = "IN2-LIVE", now
            db.session.commit()
            ids = cut_off.id, live.id

            summary = run_inbox_resubmission()

            assert summary is not None
            assert (summary["submitted"], summary["skipped"]) == ((ids[0],), ())
            sent = db.session.get(InboxOrder, ids[0])
            assert sent is not None and sent.cin7_reference == "IN1-CUT"
            assert [o["reference"] for o in sandbox.state.orders.values()] == ["IN1-CUT"]

    def test_it_runs_every_minute(self, app_config: dict[str, Any]) -> None:
        huey = create_app({**app_config, "JOBS_IMMEDIATE": False}).extensions["station.jobs"].huey
        start = datetime(2026, 5, 1, 23, 0)

        due_at = [
            minute
            for minute in (start + timedelta(minutes=m) for m in range(10))
            if any(t.name == "resubmit_inbox_periodic" for t in huey.read_periodic(minute))
        ]

        assert len(due_at) == 10
