"""An inbox submission waits out a minute of 429s (another app spending the account's
budget) and still makes the order once."""

from __future__ import annotations

from contextlib import nullcontext

import httpx
from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client
from station.cin7.ratelimit import InMemoryRateLimiter
from station.cin7.sandbox import DEMO_API_KEY, DEMO_USERNAME, SandboxServer
from station.db import utcnow
from station.inbox.options import InboxOptions
from station.inbox.submit import SubmitOutcome, submit_orders
from tests.dispatch.conftest import FREE
from tests.inbox.builders import take


def test_a_submission_waits_out_a_minute_of_429s(ctx: Session, sandbox: SandboxServer) -> None:
    order = take(ctx)
    planned = False

    def throttle_the_post(request: httpx.Request) -> None:
        nonlocal planned
        if request.method == "POST" and not planned:
            planned = True
            sandbox.state.faults.fail_next(429, count=8)  # a minute and more of them

    waits: list[float] = []
    with Cin7Client.connect(
        sandbox.base_url,
        DEMO_USERNAME,
        DEMO_API_KEY,
        limiter=InMemoryRateLimiter(FREE),
        sleep=waits.append,
        event_hooks={"request": [throttle_the_post]},
    ) as client:
        outcome = submit_orders(
            ctx,
            lambda: nullcontext(client),
            [order.id],
            options=InboxOptions(),
            now=utcnow,
            by="manager",
        )

    assert outcome == SubmitOutcome(submitted=(order.id,))
    posts = [r.status for r in sandbox.state.api_calls() if r.method == "POST"]
    assert posts == [429] * 8 + [200]
    assert sum(waits) > 60 and max(waits) <= 70
