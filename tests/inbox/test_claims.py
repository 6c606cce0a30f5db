"""Claims on orders being submitted: a run that lost one to another run leaves it alone."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from contextlib import nullcontext
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client, RetryPolicy
from station.cin7.ratelimit import InMemoryRateLimiter
from station.cin7.sandbox import DEMO_API_KEY, DEMO_USERNAME, SandboxServer
from station.db import utcnow
from station.inbox.claims import Claims, Trigger, claim, release, renew
from station.inbox.notes import add_note
from station.inbox.options import InboxOptions
from station.inbox.resubmit import RetryTiming
from station.inbox.submit import SubmitOutcome, schedule_submission, submit_orders
from station.models import InboxOrder
from tests.dispatch.conftest import FREE
from tests.inbox.builders import Hook, calls, cin7, failing_post, kinds, submit_at, take

pytestmark = pytest.mark.both_databases

T0 = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
LEASE = RetryTiming().lease


def claimed_at(session: Session, order: InboxOrder) -> datetime | None:
    """The order's claim as the database has it now (read on a connection of its own)."""
    with Session(session.get_bind()) as other:
        return other.scalar(select(InboxOrder.submitting_since).where(InboxOrder.id == order.id))


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def run(
    session: Session,
    sandbox: SandboxServer,
    order: InboxOrder,
    trigger: Trigger,
    at: datetime = T0,
    **hooks: list[Hook],
) -> SubmitOutcome:
    """One submission run of ``order`` at ``at``, started by ``trigger``."""
    return submit_at(session, sandbox, order, at, trigger=trigger, **hooks)


def test_a_run_the_scheduled_sweep_queued_leaves_an_order_an_earlier_run_refused(
    ctx: Session, sandbox: SandboxServer
) -> None:
    order = take(ctx, lines=[{"sku": "NOT-IN-CIN7", "quantity": 1}])
    schedule_submission(ctx, [order.id], at=T0, by="rule: send")
    ctx.commit()

    first = run(ctx, sandbox, order, Trigger.SCHEDULED)
    left_over = run(ctx, sandbox, order, Trigger.SCHEDULED)  # queued by a later pass
    asked = calls(sandbox.state, "GET", "ProductOptions")
    by_hand = run(ctx, sandbox, order, Trigger.MANUAL)  # a person pressed Submit now

    assert first.refused == (order.id,) and left_over == SubmitOutcome(skipped=(order.id,))
    assert asked == 1
    assert by_hand.refused == (order.id,) and calls(sandbox.state, "GET", "ProductOptions") == 2
    assert kinds(order).count("not_submitted_invalid_sku") == 2


def test_a_resubmission_run_takes_an_order_only_once_its_retry_time_has_come(
    ctx: Session, sandbox: SandboxServer
) -> None:
    failed, untried = take(ctx, id="1"), take(ctx, id="2")
    run(ctx, sandbox, failed, Trigger.MANUAL, request=[failing_post(sandbox)])
    retry_at = failed.resubmit_at
    assert retry_at is not None
    before = len(sandbox.state.requests)

    early = run(ctx, sandbox, failed, Trigger.RESUBMISSION, at=retry_at - timedelta(seconds=1))
    never_tried = run(ctx, sandbox, untried, Trigger.RESUBMISSION, at=retry_at)
    unasked = len(sandbox.state.requests) == before
    due = run(ctx, sandbox, failed, Trigger.RESUBMISSION, at=retry_at)

    assert early == SubmitOutcome(skipped=(failed.id,)) and never_tried.skipped == (untried.id,)
    assert unasked and due.submitted == (failed.id,) and untried.cin7_id is None


def test_a_resubmission_run_takes_over_a_claim_that_lapsed(
    ctx: Session, sandbox: SandboxServer
) -> None:
    order = take(ctx)
    claim(ctx, [order.id], now=T0, lease=LEASE)  # its worker died

    live = run(ctx, sandbox, order, Trigger.RESUBMISSION, at=T0 + LEASE)
    lapsed = run(ctx, sandbox, order, Trigger.RESUBMISSION, at=T0 + LEASE + timedelta(seconds=1))

    assert live == SubmitOutcome(skipped=(order.id,)) and lapsed.submitted == (order.id,)


def test_a_slow_run_leaves_an_order_another_run_took_over_to_that_run(
    ctx: Session, sandbox: SandboxServer
) -> None:
    slow, other = take(ctx, id="1"), take(ctx, id="2")
    clock = Clock(T0)
    later = T0 + LEASE + timedelta(seconds=1)

    def stall_then_lose_one(request: httpx.Request) -> None:
        """Cin7 answers so late that the claims lapse, and another run takes one over."""
        if request.method == "GET" and clock.at == T0:
            clock.at = later
            with Session(ctx.get_bind()) as second:
                assert claim(second, [other.id], now=later, lease=LEASE).held == [other.id]

    with cin7(sandbox, request=[stall_then_lose_one]) as client:
        outcome = submit_orders(
            ctx,
            lambda: nullcontext(client),
            [slow.id, other.id],
            options=InboxOptions(),
            now=clock,
        )

    assert (outcome.submitted, outcome.skipped) == ((slow.id,), (other.id,))
    posted = [r.body for r in sandbox.state.requests if r.method == "POST"]
    assert [[item["reference"] for item in body] for body in posted] == [[slow.submission_key]]
    assert claimed_at(ctx, other) == later  # still the other run's
    assert claimed_at(ctx, slow) is None and other.cin7_id is None
    assert calls(sandbox.state, "POST") == 1


def test_renewing_keeps_the_claims_still_held_and_moves_them_on(ctx: Session) -> None:
    kept, taken = take(ctx, id="1"), take(ctx, id="2")
    claims = claim(ctx, [kept.id, taken.id], now=T0, lease=LEASE)
    later = T0 + LEASE + timedelta(minutes=1)
    claim(ctx, [taken.id], now=later, lease=LEASE)  # another run's, once the claim lapsed

    held = renew(ctx, claims, now=later + timedelta(seconds=5))

    assert held == {kept.id} and claims.lost == {taken.id}
    assert claimed_at(ctx, kept) == later + timedelta(seconds=5)
    assert claimed_at(ctx, taken) == later


def test_giving_back_leaves_an_order_claimed_again_after_the_run_finished_it(
    ctx: Session,
) -> None:
    finished, unfinished = take(ctx, id="1"), take(ctx, id="2")
    claims = claim(ctx, [finished.id, unfinished.id], now=T0, lease=LEASE)
    finished.submitting_since = None  # the run gave it back with its outcome
    claims.finished.add(finished.id)
    ctx.commit()
    again = claim(ctx, [finished.id], now=T0 + timedelta(seconds=1), lease=LEASE)  # Submit now

    release(ctx, claims)

    assert again.held == [finished.id]
    assert claimed_at(ctx, finished) == T0 + timedelta(seconds=1)
    assert claimed_at(ctx, unfinished) is None


def test_giving_back_leaves_a_claim_another_run_took_over(ctx: Session) -> None:
    order = take(ctx)
    claims = claim(ctx, [order.id], now=T0, lease=LEASE)
    later = T0 + LEASE + timedelta(seconds=1)
    claim(ctx, [order.id], now=later, lease=LEASE)  # the run was slow; another took it over

    release(ctx, claims)

    assert claimed_at(ctx, order) == later


class TestARunThatWasSlow:
    """A run whose Cin7 calls outlast the lease keeps what it renewed and only that."""

    def submit(
        self, ctx: Session, sandbox: SandboxServer, order: InboxOrder, hook: Hook, clock: Clock
    ) -> SubmitOutcome:
        with cin7(sandbox, request=[hook]) as client:
            return submit_orders(
                ctx, lambda: nullcontext(client), [order.id], options=InboxOptions(), now=clock
            )

    def test_its_claims_are_renewed_after_each_read_so_no_other_run_takes_them(
        self, ctx: Session, sandbox: SandboxServer
    ) -> None:
        order = take(ctx)
        order.submission_key = "IN1-TRIED"  # tried before: looked up by key, a second read
        ctx.commit()
        clock = Clock(T0)
        taken: list[list[int]] = []

        def slow_reads(request: httpx.Request) -> None:
            """Each read takes most of a lease; another run tries to take the order."""
            if request.method == "GET":
                clock.at += LEASE * 0.6
                if request.url.path.endswith("/SalesOrders"):
                    with Session(ctx.get_bind()) as second:
                        taken.append(claim(second, [order.id], now=clock.at, lease=LEASE).held)

        outcome = self.submit(ctx, sandbox, order, slow_reads, clock)

        assert taken == [[]] and outcome.submitted == (order.id,)
        assert len(sandbox.state.orders) == 1

    def test_a_read_failing_refuses_no_order_another_run_took_over(
        self, ctx: Session, sandbox: SandboxServer
    ) -> None:
        order = take(ctx)
        clock = Clock(T0)
        later = T0 + LEASE + timedelta(seconds=1)

        def lapse_then_fail(request: httpx.Request) -> None:
            if request.method == "GET" and clock.at == T0:
                clock.at = later
                with Session(ctx.get_bind()) as second:
                    claim(second, [order.id], now=later, lease=LEASE)
                sandbox.state.faults.fail_next(401)

        outcome = self.submit(ctx, sandbox, order, lapse_then_fail, clock)

        assert outcome == SubmitOutcome(skipped=(order.id,))
        assert claimed_at(ctx, order) == later  # still the other run's
        assert kinds(order) == ["imported"] and order.error is None

    def test_a_post_failing_refuses_no_order_another_run_took_over(
        self, ctx: Session, sandbox: SandboxServer
    ) -> None:
        order = take(ctx)
        clock = Clock(T0)
        later = T0 + LEASE + timedelta(seconds=1)

        def lapse_then_fail(request: httpx.Request) -> None:
            if request.method == "POST":
                clock.at = later
                with Session(ctx.get_bind()) as second:
                    claim(second, [order.id], now=later, lease=LEASE)
                sandbox.state.faults.fail_next(500)

        outcome = self.submit(ctx, sandbox, order, lapse_then_fail, clock)

        assert outcome == SubmitOutcome(skipped=(order.id,))
        assert claimed_at(ctx, order) == later
        assert "not_submitted_error" not in kinds(order) and order.resubmit_at is None


def test_a_post_whose_retries_would_outlast_the_claim_stops_so_no_order_is_made_twice(
    ctx: Session, sandbox: SandboxServer
) -> None:
    """Each attempt waits long for the rate limiter and is refused (429); a fifth attempt
    would start after the claim lapsed, when another run may already have sent the order."""
    order = take(ctx)
    clock = Clock(T0)
    timing = RetryTiming()
    lapsed = T0 + timing.lease
    taken_over: list[SubmitOutcome] = []

    def slow_and_refused(request: httpx.Request) -> None:
        if request.method != "POST":
            return
        clock.at += timedelta(seconds=140)  # most of CIN7_LIMIT_WAIT, waiting for a slot
        if clock.at <= lapsed:
            sandbox.state.faults.fail_next(429)
        elif not taken_over:  # the resubmission sweep takes the lapsed claim over
            with Session(ctx.get_bind()) as second, cin7(sandbox) as client:
                taken_over.append(
                    submit_orders(
                        second,
                        lambda: nullcontext(client),
                        [order.id],
                        options=InboxOptions(),
                        now=lambda: clock.at,
                        trigger=Trigger.RESUBMISSION,
                    )
                )

    def sleep(seconds: float) -> None:
        clock.at += timedelta(seconds=seconds)

    with Cin7Client.connect(
        sandbox.base_url,
        DEMO_USERNAME,
        DEMO_API_KEY,
        limiter=InMemoryRateLimiter(FREE),
        retry=RetryPolicy(),  # five attempts, as in production
        sleep=sleep,
        event_hooks={"request": [slow_and_refused]},
    ) as client:
        outcome = submit_orders(
            ctx, lambda: nullcontext(client), [order.id], options=InboxOptions(), now=clock
        )

    assert taken_over == [] and sandbox.state.orders == {}
    assert outcome.refused == (order.id,) and calls(sandbox.state, "POST") == 4
    assert order.submission_key is not None and order.resubmit_at is not None
    again = run(ctx, sandbox, order, Trigger.RESUBMISSION, at=order.resubmit_at)
    assert again.submitted == (order.id,) and len(sandbox.state.orders) == 1


def in_thread(work: Callable[[], Any], errors: list[BaseException]) -> threading.Thread:
    """Run ``work`` on a thread of its own, keeping what it raised."""

    def guarded() -> None:
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - handed to the test to assert on
            errors.append(exc)

    thread = threading.Thread(target=guarded)
    thread.start()
    return thread


def waiting_for_a_lock(session: Session) -> bool:
    """Whether some other connection to this database waits for a row lock now."""
    query = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    with Session(session.get_bind()) as probe:
        return bool(probe.scalar(query))


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_renewing_while_another_run_takes_the_claims_over_cannot_deadlock(
    ctx: Session,
) -> None:
    """The other run claims row by row in id order and is paused after the first row;
    the slow run renews meanwhile. Had it locked the other rows first, each would wait
    for the other (PostgreSQL ends that with a deadlock error after a second)."""
    orders = [take(ctx, id=str(n)) for n in range(20)]
    ids = [o.id for o in orders]
    slow = claim(ctx, ids, now=T0, lease=LEASE)
    # A manager notes something on order 1: its row no longer fits its page and moves past
    # the others, so a plain UPDATE of all of them reads (and locks) it last.
    add_note(ctx, orders[0], "Ring first. " * 150, at=utcnow(), by="manager")
    ctx.commit()
    later = T0 + LEASE + timedelta(seconds=1)
    errors: list[BaseException] = []
    first_row_taken, go_on = threading.Event(), threading.Event()
    engine = ctx.get_bind()

    with engine.connect() as connection:  # the other run's, paused after one row

        @event.listens_for(connection, "after_cursor_execute")
        def pause(*args: Any) -> None:
            if args[2].startswith("UPDATE inbox_order") and not first_row_taken.is_set():
                first_row_taken.set()
                go_on.wait(10)

        other: list[Claims] = []
        taking_over = in_thread(
            lambda: other.append(claim(Session(connection), ids, now=later, lease=LEASE)),
            errors,
        )
        assert first_row_taken.wait(10)
        renewing = in_thread(
            lambda: renew(Session(engine), slow, now=later + timedelta(seconds=1)),
            errors,
        )
        deadline = time.monotonic() + 10
        while not waiting_for_a_lock(ctx):  # the slow run waits for order 1
            assert time.monotonic() < deadline, errors
            time.sleep(0.01)
        go_on.set()
        taking_over.join(20)
        renewing.join(20)

    assert errors == []
    assert other[0].held == ids and slow.lost == set(ids)
