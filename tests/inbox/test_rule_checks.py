"""Dry runs explain without acting; re-runs act on the chosen orders."""

from __future__ import annotations

from sqlalchemy.orm import Session

from station.db import utcnow
from station.inbox.folders import create_folder
from station.inbox.rule_checks import dry_run, dry_run_event, rerun
from tests.inbox.builders import kinds, rule, runs, take


def test_a_dry_run_says_which_rule_would_fire_and_why_and_changes_nothing(ctx: Session) -> None:
    web = take(ctx)
    other = take(ctx, id="1002", order_number="#1002", email="b@example.com")
    other.shop = "amazon"
    big = rule(
        ctx,
        "shipped",
        [("add_tag", "big")],
        ("shop", "equals", "web"),
        ("total", "greater_than", "50"),
        name="big web order",
    )

    [first, second] = dry_run(ctx, [web, other], [big])

    assert first.would_fire == [big] and second.would_fire == []
    assert second.sentences() == [
        "big web order: would not fire; shop equals 'web' did not match (found amazon); "
        "total is greater than '50' matched (found 77.50)"
    ]
    assert web.tags == [] and runs(ctx, web) == [] and kinds(web) == ["imported"]


def test_a_dry_run_by_event_uses_that_events_enabled_rules(ctx: Session) -> None:
    order = take(ctx)
    rule(ctx, "shipped", [("add_tag", "a")], name="on shipped")
    rule(ctx, "canceled", [("add_tag", "b")], name="on canceled")

    [explained] = dry_run_event(ctx, [order.id], "shipped")

    assert [m.rule.name for m in explained.matches] == ["on shipped"]


def test_a_rerun_acts_on_the_chosen_orders_only(ctx: Session) -> None:
    create_folder(ctx, "Held")
    first = take(ctx)
    second = take(ctx, id="1002", order_number="#1002")
    rule(ctx, "imported", [("move_to_folder", "Held")], name="hold")  # after both came in

    rerun(ctx, [first.id], "imported", at=utcnow())
    ctx.commit()

    assert first.folder.name == "Held" and second.folder.name == "New"
    assert runs(ctx, first) == [("hold", "done", "moved to Held")] and runs(ctx, second) == []


def test_a_condition_with_an_unknown_operator_is_explained_as_not_matching(ctx: Session) -> None:
    order = take(ctx)
    odd = rule(ctx, "shipped", [("add_tag", "x")], ("shop", "bigger_than", "a"), name="odd")

    [explained] = dry_run(ctx, [order], [odd])

    assert explained.sentences() == [
        "odd: would not fire; shop bigger_than 'a' did not match (found web)"
    ]
