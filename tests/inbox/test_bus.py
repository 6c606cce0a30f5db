"""The inbox bus: an appended event runs no rule until it is settled, and the action table."""

from __future__ import annotations

from sqlalchemy.orm import Session

from station.db import utcnow
from station.inbox import changes
from station.inbox.actions import ACTIONS
from station.inbox.bus import Settled, settle
from station.inbox.rules import Action
from tests.inbox.builders import kinds, rule, runs, take


def test_an_appended_event_runs_its_rules_only_when_settled(ctx: Session) -> None:
    rule(ctx, "tagged", [("add_note", "Tagged, so noted")], name="note tags")
    order = take(ctx)

    event = changes.tag(ctx, order, "vip", at=utcnow(), by="mere")
    ctx.flush()
    before = runs(ctx, order)
    settle(ctx, order, event)
    ctx.commit()

    assert before == []
    assert runs(ctx, order) == [("note tags", "done", "added a note")]
    assert kinds(order) == ["imported", "tagged", "note_added"]


def test_settling_answers_what_the_rules_left_for_jobs(ctx: Session) -> None:
    rule(ctx, "tagged", [("submit", ""), ("webhook", "https://shop.example/hook")], name="send")
    order = take(ctx)

    settled = settle(ctx, order, changes.tag(ctx, order, "vip", at=utcnow(), by="mere"))
    again = settle(ctx, order, changes.tag(ctx, order, "vip", at=utcnow(), by="mere"))
    ctx.commit()

    assert settled == Settled(scheduled=(order.id,), webhooks=1)
    assert again == Settled()  # tagged already: no event, no rule


def test_every_action_a_rule_can_name_has_its_place_in_the_table() -> None:
    assert set(ACTIONS) == set(Action)
