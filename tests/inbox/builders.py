"""Builders shared by the inbox tests: orders taken in, submitted to the sandbox, rules, counts of Cin7 calls."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client
from station.cin7.sandbox import SandboxServer, SandboxState
from station.db import utcnow
from station.inbox.claims import Trigger
from station.inbox.intake import Intake, take_order
from station.inbox.options import InboxOptions
from station.inbox.orders import read_order
from station.inbox.resubmit import RetryTiming
from station.inbox.submit import (
    SubmitOutcome,
    submit_orders,
)
from station.models import (
    InboxOrder,
    InboxRule,
    InboxRuleRun,
    InboxSource,
)
from tests.dispatch.conftest import connect
from tests.inbox.samples import order_json

Hook = Callable[[Any], None]


@contextmanager
def cin7(sandbox: SandboxServer, **hooks: list[Hook]) -> Iterator[Cin7Client]:
    """A client of the sandbox; ``hooks`` are httpx event hooks (faults at the transport)."""
    with connect(sandbox, **hooks) as client:
        yield client


def failing_post(sandbox: SandboxServer) -> Hook:
    """A request hook: the sandbox answers the POST about to go out with HTTP 500."""

    def fail(request: httpx.Request) -> None:
        if request.method == "POST":
            sandbox.state.faults.fail_next(500)

    return fail


def take(session: Session, **changes: Any) -> InboxOrder:
    return take_intake(session, **changes).order


def take_intake(session: Session, **changes: Any) -> Intake:
    payload = order_json(**changes)
    intake = take_order(
        session,
        read_order(payload),
        shop="web",
        source=InboxSource.API,
        payload=payload,
        now=utcnow(),
    )
    session.commit()
    return intake


def submit(
    session: Session,
    sandbox: SandboxServer,
    *orders: InboxOrder,
    options: InboxOptions | None = None,
    **hooks: list[Hook],
) -> SubmitOutcome:
    with cin7(sandbox, **hooks) as client:
        return submit_orders(
            session,
            lambda: nullcontext(client),
            [o.id for o in orders],
            options=options or InboxOptions(),
            now=utcnow,
            by="manager",
        )


def calls(state: SandboxState, method: str, resource: str = "SalesOrders") -> int:
    return sum(1 for r in state.requests if r.method == method and r.path.endswith(f"/{resource}"))


def kinds(order: InboxOrder) -> list[str]:
    return [event.kind for event in order.events]


def rule(
    session: Session,
    event: str,
    actions: list[tuple[str, str]],
    *conditions: tuple[str, str, str],
    match_all: bool = True,
    position: int = 0,
    name: str = "",
) -> InboxRule:
    made = InboxRule(
        name=name or f"rule {position}",
        event=event,
        match_all=match_all,
        conditions=[{"field": f, "operator": o, "value": v} for f, o, v in conditions],
        actions=[{"action": a, "argument": arg} for a, arg in actions],
        position=position,
    )
    session.add(made)
    session.commit()
    return made


def runs(session: Session, order: InboxOrder) -> list[tuple[str, str, str]]:
    found = session.scalars(
        select(InboxRuleRun).where(InboxRuleRun.order_id == order.id).order_by(InboxRuleRun.id)
    )
    return [(r.rule_name, r.outcome, r.detail) for r in found]


def submit_at(
    session: Session,
    sandbox: SandboxServer,
    order: InboxOrder,
    at: datetime,
    *,
    trigger: Trigger = Trigger.MANUAL,
    **hooks: list[Hook],
) -> SubmitOutcome:
    """One submission run of ``order`` at ``at``, started by ``trigger``."""
    with cin7(sandbox, **hooks) as client:
        return submit_orders(
            session,
            lambda: nullcontext(client),
            [order.id],
            options=InboxOptions(),
            now=lambda: at,
            timing=TIMING,
            trigger=trigger,
        )


def submitted(session: Session, sandbox: SandboxServer, *ids: str) -> list[InboxOrder]:
    orders = [take(session, id=i, order_number=f"#{i}") for i in ids]
    submit(session, sandbox, *orders)
    return orders


def dispatch(state: SandboxState, order: InboxOrder) -> None:
    state.touch_order(
        order.cin7_id,
        dispatchedDate="2026-05-01T03:04:05Z",
        trackingCode="NZP123456789",
        logisticsCarrier="NZ Post",
        stage="Dispatched",
    )


SECRET = "shpss_test_secret"


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


TIMING = RetryTiming()
