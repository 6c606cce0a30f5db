"""Keeping rules: saving checks what the rule says; reordering keeps one clear order."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy.orm import Session

from station.inbox.errors import RuleInvalid
from station.inbox.folders import create_folder
from station.inbox.rule_admin import RuleDraft, list_rules, move_rule, save_rule

TAG = ({"action": "add_tag", "argument": "vip"},)


def draft(**changes: object) -> RuleDraft:
    return replace(RuleDraft(name="VIP", event="imported", actions=TAG), **changes)


def test_a_rule_is_saved_without_its_empty_rows_and_goes_last(ctx: Session) -> None:
    first = save_rule(ctx, draft(name="first"))
    second = save_rule(
        ctx,
        draft(
            name="  big   orders ",
            conditions=(
                {"field": "total", "operator": "greater_than", "value": " 100 "},
                {"field": "", "operator": "equals", "value": ""},
            ),
            actions=(*TAG, {"action": "", "argument": ""}),
        ),
    )

    assert second.name == "big orders" and second.position > first.position
    assert second.conditions == [{"field": "total", "operator": "greater_than", "value": "100"}]
    assert second.actions == list(TAG)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": " "}, "needs a name"),
        ({"event": "exploded"}, "Choose the event"),
        ({"actions": ()}, "at least one action"),
        ({"conditions": ({"field": "colour", "operator": "equals", "value": "red"},)}, "colour"),
        ({"conditions": ({"field": "shop", "operator": "equals", "value": ""},)}, "Type the value"),
        *(
            (
                {"conditions": ({"field": "total", "operator": operator, "value": value},)},
                "total is (greater|less) than a number: type one, such as 100",
            )
            for operator, value in (("greater_than", "NaN"), ("less_than", "lots"))
        ),
        ({"actions": ({"action": "move_to_folder", "argument": "Nowhere"},)}, "no folder"),
        ({"actions": ({"action": "set_checkout_field", "argument": "Stage"},)}, "Name=value"),
        ({"actions": ({"action": "webhook", "argument": "ftp://x"},)}, "http"),
        ({"actions": ({"action": "explode", "argument": ""},)}, "Choose an action"),
    ],
)
def test_a_wrong_rule_is_refused_saying_why(
    ctx: Session, changes: dict[str, object], message: str
) -> None:
    with pytest.raises(RuleInvalid, match=message):
        save_rule(ctx, draft(**changes))


def test_empty_checks_need_no_value_and_a_known_folder_is_accepted(ctx: Session) -> None:
    create_folder(ctx, "Wholesale")

    rule = save_rule(
        ctx,
        draft(
            conditions=({"field": "checkout.Stage", "operator": "is_empty", "value": ""},),
            actions=({"action": "move_to_folder", "argument": "wholesale"},),
        ),
    )

    assert rule.conditions[0]["operator"] == "is_empty"


def test_rules_move_up_and_down_but_not_past_the_ends(ctx: Session) -> None:
    a, b, c = (save_rule(ctx, draft(name=name)) for name in "abc")

    assert move_rule(ctx, c, -1)
    assert not move_rule(ctx, a, -1)
    assert [r.name for r in list_rules(ctx)] == ["a", "c", "b"]
    assert move_rule(ctx, a, 1) and not move_rule(ctx, b, 1)
    assert [r.name for r in list_rules(ctx)] == ["c", "a", "b"]
