"""Inbox commands start their jobs only after their commit: what the rules left, what was asked."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.accounts import create_user
from station.db import utcnow
from station.inbox.cin7_work import submit_now
from station.inbox.errors import NoteInvalid
from station.inbox.notes import note_order, tag_order
from station.models import AuditEvent, InboxEvent, InboxWebhook, Role, User
from tests.inbox.test_rules import rule
from tests.inbox.test_submit import take


class FakeJobs:
    """The job queue, keeping what was started and in which order."""

    def __init__(self) -> None:
        self.started: list[object] = []

    def submit_scheduled_soon(self) -> None:
        self.started.append("submission pass")

    def deliver_inbox_webhooks(self) -> None:
        self.started.append("webhook pass")

    def submit_inbox(self, order_ids: list[int], by: str) -> None:
        self.started.append(("submit", tuple(order_ids), by))

    def check_inbox_shipments(self, by: str) -> None:
        self.started.append(("shipments", by))

    def sync_inventory(self, scheduled: bool) -> None:
        self.started.append(("inventory", scheduled))

    def import_csv(self, import_id: int) -> None:
        self.started.append(("import", import_id))


@pytest.fixture
def manager(ctx: Session) -> User:
    user = create_user(ctx, "mia", "correct horse", role=Role.MANAGER)
    ctx.commit()
    return user


def test_a_note_whose_rules_schedule_and_call_a_webhook_starts_both_passes(
    ctx: Session, manager: User
) -> None:
    rule(ctx, "note_added", [("submit", ""), ("webhook", "https://shop.example/hook")], name="send")
    order = take(ctx)
    jobs = FakeJobs()

    note_order(manager, order, "Ring first", at=utcnow(), jobs=jobs)
    ctx.rollback()  # nothing left to undo: the note and what its rules did are committed

    assert jobs.started == ["submission pass", "webhook pass"]
    assert order.scheduled_at is not None and order.notes[0]["by"] == "mia"
    assert ctx.scalars(select(InboxWebhook)).one().queued_by == "rule: send"


def test_a_refused_tag_keeps_nothing_and_starts_nothing(ctx: Session, manager: User) -> None:
    rule(ctx, "tagged", [("submit", "")])
    order = take(ctx)
    jobs = FakeJobs()

    with pytest.raises(NoteInvalid):
        tag_order(manager, order, "two words", at=utcnow(), jobs=jobs)

    assert jobs.started == []
    assert order.tags == [] and order.scheduled_at is None


def test_a_tag_with_no_rule_to_run_starts_no_job(ctx: Session, manager: User) -> None:
    order = take(ctx)
    jobs = FakeJobs()

    assert tag_order(manager, order, "vip", at=utcnow(), jobs=jobs)
    assert not tag_order(manager, order, "VIP", at=utcnow(), jobs=jobs)

    assert jobs.started == []


def test_submitting_now_queues_the_run_for_the_person_after_the_audited_commit(
    ctx: Session, manager: User
) -> None:
    order = take(ctx)
    jobs = FakeJobs()

    ids = submit_now(manager, [order.id], at=utcnow(), jobs=jobs)
    ctx.rollback()

    assert ids == [order.id]
    assert jobs.started == [("submit", (order.id,), "mia")]
    audited = ctx.scalars(select(AuditEvent)).one()
    assert (audited.action, audited.actor_username, audited.detail) == (
        "inbox.orders_submitted",
        "mia",
        {"orders": [order.id]},
    )
    scheduled = ctx.scalars(select(InboxEvent).where(InboxEvent.kind == "scheduled")).one()
    assert scheduled.actor_username == "mia" and order.scheduled_by == "mia"
