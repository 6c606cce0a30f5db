"""A manager retries failed write-backs by hand: audited with the change, delivered after it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.accounts import create_user
from station.dispatch.options import DispatchOptions
from station.dispatch.outbox import needs_attention
from station.dispatch.outbox_admin import retry_failed_write_backs, retry_write_back
from station.models import AuditEvent, OutboxState, Role
from tests.builders import ship_sandbox_order
from tests.fakes.clock import Clock


def test_retrying_every_failed_write_back_audits_each_and_delivers_once_committed(
    ctx: Session,
) -> None:
    clock = Clock()
    items = ship_sandbox_order(ctx, 9001, DispatchOptions(), now=clock.now)
    manager = create_user(ctx, "mia", "correct horse", role=Role.MANAGER)
    for item in items:
        item.state = OutboxState.FAILED
    ctx.commit()
    failed_when_delivering: list[int] = []

    retried = retry_failed_write_backs(
        manager,
        now=clock.now,
        deliver=lambda: failed_when_delivering.append(len(needs_attention(ctx))),
    )

    assert retried == len(items) > 0
    assert failed_when_delivering == [0]  # the pass starts once the retries are committed
    ctx.rollback()
    recorded = ctx.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.retried")).all()
    assert [(e.actor_username, e.target_label) for e in recorded] == [("mia", "SO-9001")] * len(
        items
    )


def test_a_write_back_not_failed_is_left_alone_and_nothing_is_delivered(ctx: Session) -> None:
    clock = Clock()
    [item, *_] = ship_sandbox_order(ctx, 9002, DispatchOptions(), now=clock.now)
    manager = create_user(ctx, "mia", "correct horse", role=Role.MANAGER)
    ctx.commit()
    delivered: list[bool] = []

    retried = retry_write_back(manager, item, now=clock.now, deliver=lambda: delivered.append(True))

    assert not retried and delivered == []
    assert ctx.scalars(select(AuditEvent).where(AuditEvent.action == "outbox.retried")).all() == []
