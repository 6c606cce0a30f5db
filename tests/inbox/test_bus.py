"""The inbox bus: an appended event runs no rule until it is settled, and the action table."""

from __future__ import annotations

from sqlalchemy.orm import Session

from station.db import utcnow
from station.inbox import changes
from station.inbox.actions import ACTIONS
from station.inbox.bus import scheduled_by_rules, settle
from station.inbox.rules import Action
from tests.inbox.builders import kinds, rule, runs, take


def test_an_appended_event_runs_its_rules_only_when_settled(ctx: Session) -> None:
    rule(ctx, "tagged", [("add_note", "Tagged, so noted")], name="note tags")
    order = take(ctx)

    event = changes.tag(ctx, order, "vip", at=utcnow(), actor="mere")
    ctx.flush()
    before = runs(ctx, order)
    settle(ctx, order, event)
    ctx.commit()

    assert before == []
    assert runs(ctx, order) == [("note tags", "done", "added a note")]
    assert kinds(order) == ["imported", "tagged", "note_added"]


def test_the_orders_rules_scheduled_are_handed_out_once(ctx: Session) -> None:
    rule(ctx, "imported", [("submit", "")], name="send")
    first, second = take(ctx, id="A-1"), take(ctx, id="A-2")

    assert scheduled_by_rules(ctx) == [first.id, second.id]
    assert scheduled_by_rules(ctx) == []


def test_every_action_a_rule_can_name_has_its_place_in_the_table() -> None:
    assert set(ACTIONS) == set(Action)
