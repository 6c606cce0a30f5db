"""Inbox rules: conditions, all/any, order, each action and the loop guard."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.cin7.sandbox import SandboxServer
from station.db import utcnow
from station.inbox.bus import Settled, record_event
from station.inbox.folders import create_folder
from station.inbox.notes import add_tag
from station.inbox.rules import check_condition
from station.models import (
    InboxEventKind,
    InboxWebhook,
    OutboxState,
)
from tests.inbox.builders import failing_post, kinds, rule, runs, submit, take, take_intake


@pytest.mark.parametrize(
    ("field", "operator", "value", "matched"),
    [
        ("shop", "equals", "WEB", True),
        ("shop", "not_equals", "web", False),
        ("country", "contains", "zeal", True),
        ("country", "starts_with", "new", True),
        ("country", "starts_with", "zeal", False),
        ("total", "greater_than", "77", True),  # 2 x 24 + 29.5 = 77.5
        ("total", "less_than", "77", False),
        ("total", "greater_than", "lots", False),
        ("total", "greater_than", "NaN", False),  # not numbers: compare as nothing
        ("total", "less_than", "sNaN", False),
        ("total", "less_than", "Infinity", False),
        ("checkout.stage", "greater_than", "1", False),  # the order's "Packed" is no number
        ("sku", "equals", "socks-grey", True),
        ("sku", "not_equals", "MUG-SAND", False),
        ("tags", "is_empty", "", True),
        ("tags", "is_not_empty", "", False),
        ("folder", "equals", "new", True),
        ("checkout.stage", "equals", "packed", True),
        ("checkout.Stage", "is_empty", "", False),
        ("checkout.BranchId", "is_empty", "", True),
        ("shop", "bigger_than", "a", False),
    ],
)
def test_each_operator_reads_the_order(
    ctx: Session, field: str, operator: str, value: str, matched: bool
) -> None:
    order = take(ctx, checkout={"Stage": "Packed"})

    result = check_condition(order, {"field": field, "operator": operator, "value": value})

    assert result.matched is matched


@pytest.mark.parametrize("found", ["NaN", "sNaN", "-Infinity"])
def test_a_field_reading_nan_or_infinity_is_greater_or_less_than_nothing(
    ctx: Session, found: str
) -> None:
    order = take(ctx, checkout={"Stage": found})

    for operator in ("greater_than", "less_than"):
        condition = {"field": "checkout.Stage", "operator": operator, "value": "1"}
        assert check_condition(order, condition).matched is False


@pytest.mark.parametrize(("match_all", "tagged"), [(True, []), (False, ["nz"])])
def test_all_needs_every_condition_and_any_needs_one(
    ctx: Session, match_all: bool, tagged: list[str]
) -> None:
    rule(
        ctx,
        "imported",
        [("add_tag", "nz")],
        ("country", "equals", "New Zealand"),
        ("shop", "equals", "amazon"),
        match_all=match_all,
    )

    assert take(ctx).tags == tagged


def test_rules_run_in_position_order(ctx: Session) -> None:
    rule(ctx, "imported", [("add_tag", "second")], position=2, name="second")
    rule(ctx, "imported", [("add_tag", "first")], position=1, name="first")

    order = take(ctx)

    assert order.tags == ["first", "second"]
    assert [name for name, _, _ in runs(ctx, order)] == ["first", "second"]


def test_a_disabled_rule_or_another_event_does_nothing(ctx: Session) -> None:
    rule(ctx, "imported", [("add_tag", "off")]).enabled = False
    rule(ctx, "shipped", [("add_tag", "shipped")])
    ctx.commit()

    order = take(ctx)

    assert order.tags == [] and runs(ctx, order) == []


def test_move_note_tag_and_checkout_actions(ctx: Session) -> None:
    create_folder(ctx, "Wholesale")
    rule(
        ctx,
        "imported",
        [
            ("move_to_folder", "wholesale"),
            ("add_note", "Big order"),
            ("add_tag", "vip"),
            ("set_checkout_field", "stage = Ready"),
        ],
        ("shop", "equals", "web"),
        name="wholesale",
    )

    order = take(ctx)
    ctx.commit()

    assert order.folder.name == "Wholesale"
    assert order.notes[0]["text"] == "Big order" and order.notes[0]["by"] == "rule: wholesale"
    assert order.tags == ["vip"] and order.checkout["Stage"] == "Ready"
    assert kinds(order) == ["imported", "moved", "note_added", "tagged"]
    assert runs(ctx, order) == [
        (
            "wholesale",
            "done",
            "moved to Wholesale; added a note; tagged vip; set Stage to Ready",
        )
    ]


def test_a_failing_action_stops_the_rule_and_is_logged(ctx: Session) -> None:
    rule(ctx, "imported", [("move_to_folder", "Nowhere"), ("add_tag", "never")], name="bad")

    order = take(ctx)

    assert order.tags == []
    assert runs(ctx, order) == [("bad", "failed", "failed: there is no folder called 'Nowhere'")]


def test_submit_schedules_the_order_for_cin7(ctx: Session) -> None:
    rule(ctx, "imported", [("submit", "")], name="send")

    intake = take_intake(ctx)
    order = intake.order

    assert kinds(order) == ["imported", "scheduled"]
    assert intake.rules == Settled(scheduled=(order.id,))  # for the caller to queue a run
    assert runs(ctx, order) == [("send", "done", "scheduled to Cin7")]


def test_the_loop_guard_runs_a_rule_once_per_order_in_a_chain(ctx: Session) -> None:
    # Each tag logs *Tag added*, which runs the rule again, which would tag again.
    rule(ctx, "tagged", [("add_tag", "again")], name="loop")
    order = take(ctx)

    add_tag(ctx, order, "first", at=utcnow(), by="mere")
    ctx.commit()

    assert order.tags == ["first", "again"]
    assert runs(ctx, order) == [  # the inner run is logged first: it ends first
        ("loop", "stopped", "Stopped: this rule already ran on this order in this chain."),
        ("loop", "done", "tagged again"),
    ]


def test_the_loop_guard_stops_chains_deeper_than_five(ctx: Session) -> None:
    for level in range(1, 8):
        rule(
            ctx,
            "tagged",
            [("add_tag", f"t{level}")],
            ("tags", "equals", f"t{level - 1}"),
            position=level,
            name=f"level {level}",
        )
    order = take(ctx)

    add_tag(ctx, order, "t0", at=utcnow(), by="mere")
    ctx.commit()

    assert order.tags == ["t0", "t1", "t2", "t3", "t4", "t5"]
    assert (
        "level 6",
        "stopped",
        "Stopped: rules set off other rules more than 5 levels deep.",
    ) in runs(ctx, order)
    assert [name for name, outcome, _ in runs(ctx, order) if outcome == "done"] == [
        f"level {n}"
        for n in (5, 4, 3, 2, 1)  # the deepest ends (and is logged) first
    ]


def test_a_webhook_needs_an_http_address_and_sends_nothing_while_the_rule_runs(
    ctx: Session,
) -> None:
    rule(ctx, "imported", [("webhook", "ftp://shop.example/hook")], name="bad", position=1)
    rule(ctx, "imported", [("webhook", "https://shop.example/hook")], name="good", position=2)

    order = take(ctx)

    assert runs(ctx, order) == [
        ("bad", "failed", "failed: a webhook needs an http:// or https:// address"),
        ("good", "done", "queued a webhook to https://shop.example/hook"),
    ]
    [queued] = ctx.scalars(select(InboxWebhook)).all()
    assert (queued.url, queued.state, queued.attempts) == (
        "https://shop.example/hook",
        OutboxState.PENDING,
        0,
    )


def test_rules_stop_resubmitting_an_order_cin7_keeps_refusing(ctx: Session) -> None:
    rule(ctx, "not_submitted_error", [("submit", "")], name="try again")
    order = take(ctx)

    for _ in range(3):
        record_event(
            ctx,
            order,
            InboxEventKind.NOT_SUBMITTED_ERROR,
            "Cin7 refused the order: Customer is on credit hold.",
            at=utcnow(),
        )
    ctx.commit()

    assert [outcome for _, outcome, _ in runs(ctx, order)] == ["done", "done", "failed"]
    assert runs(ctx, order)[-1][2] == (
        "failed: the order was refused 3 times for reasons a person must fix (its SKUs, "
        "lines or branch, Cin7's own reason, the Cin7 login); rules no longer send it "
        "(submit it from its page once it is fixed)"
    )
    assert kinds(order).count("scheduled") == 2


def test_cin7_failing_does_not_count_towards_the_rules_resubmission_limit(
    ctx: Session, sandbox: SandboxServer
) -> None:
    rule(ctx, "not_submitted_error", [("submit", "")], name="try again")
    order = take(ctx)

    for _ in range(3):  # Cin7 answers the POST with 500: Station sends it again by itself
        submit(ctx, sandbox, order, request=[failing_post(sandbox)])

    assert order.submit_failures == 3
    assert [outcome for _, outcome, _ in runs(ctx, order)] == ["done"] * 3
    assert order.scheduled_by == "rule: try again"
