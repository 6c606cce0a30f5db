"""The inbox's jobs through the app's queue: submissions scheduled inside a job still reach Cin7."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.orm import Session

from station.cin7.sandbox import SandboxServer
from station.jobs import jobs
from station.models import InboxOrder
from tests.fakes.cin7 import sandbox_config
from tests.inbox.builders import calls, kinds, rule, take


@pytest.fixture
def app_config(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
    return {**app_config, **sandbox_config(sandbox)}


def reread(session: Session, order_id: int) -> InboxOrder:
    """The order as the jobs (each with a session of its own) committed it."""
    session.rollback()
    order = session.get(InboxOrder, order_id)
    assert order is not None
    return order


def test_an_order_a_rule_schedules_inside_the_submission_job_reaches_cin7(
    ctx: Session, sandbox: SandboxServer
) -> None:
    sandbox.state.branches = [b for b in sandbox.state.branches if b["id"] != 3]
    rule(
        ctx,
        "not_submitted_error",
        [("set_checkout_field", "BranchId=2"), ("submit", "")],
        ("checkout.BranchId", "equals", "3"),
        name="main branch",
    )
    order_id = take(ctx, checkout={"BranchId": 3}).id

    jobs().submit_inbox([order_id], "manager")  # refused: branch 3 is gone; the rule resends
    refused = reread(ctx, order_id)
    waiting = (refused.cin7_id, refused.scheduled_by, kinds(refused)[1:])
    jobs().submit_scheduled_inbox()
    sent = reread(ctx, order_id)

    assert waiting == (
        None,
        "rule: main branch",
        ["not_submitted_error", "scheduled", "moved"],  # nothing queued a run for it
    )
    assert sent.cin7_id in sandbox.state.orders and sent.folder.name == "Submitted"
    assert sandbox.state.orders[sent.cin7_id]["branchId"] == 2
    assert sent.scheduled_at is None and sent.error is None
    assert [e.actor_username for e in sent.events if e.kind == "after_submit"] == [
        "rule: main branch"
    ]


def test_the_sweep_leaves_orders_already_made_or_not_scheduled_alone(
    ctx: Session, sandbox: SandboxServer
) -> None:
    sent_id, untouched_id = take(ctx, id="1").id, take(ctx, id="2").id
    jobs().submit_inbox([sent_id], "manager")

    jobs().submit_scheduled_inbox()

    assert calls(sandbox.state, "POST") == 1 and len(sandbox.state.orders) == 1
    assert reread(ctx, untouched_id).cin7_id is None
