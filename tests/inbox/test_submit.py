"""Submitting inbox orders to the Cin7 sandbox over HTTP: checks, batches, events, no repeats."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client
from station.cin7.errors import Cin7NotConfigured
from station.cin7.filters import MAX_FILTER_LENGTH
from station.cin7.sandbox import SandboxServer
from station.db import utcnow
from station.inbox.folders import create_folder
from station.inbox.options import InboxOptions
from station.inbox.resubmit import RetryTiming, due_for_resubmission
from station.inbox.submit import (
    SubmitOutcome,
    schedule_submission,
    scheduled_submissions,
    submit_orders,
)
from tests.inbox.builders import calls, kinds, submit, take


def test_an_order_reaches_cin7_and_moves_to_submitted(ctx: Session, sandbox: SandboxServer) -> None:
    order = take(ctx)

    outcome = submit(ctx, sandbox, order)

    assert outcome == SubmitOutcome(submitted=(order.id,))
    assert kinds(order) == ["imported", "before_submit", "after_submit", "moved"]
    assert order.folder.name == "Submitted" and order.error is None
    made = sandbox.state.orders[order.cin7_id]
    assert made["reference"] == order.submission_key == order.cin7_reference
    assert made["customerOrderNo"] == "#1001" and made["isApproved"] is True
    assert [(line["code"], line["qty"]) for line in made["lineItems"]] == [
        ("MUG-SAND", 2),
        ("SOCKS-GREY", 1),
    ]
    assert (
        order.events[2].message
        == f"Cin7 made sales order {order.submission_key} (id {order.cin7_id})."
    )


def test_every_checkout_field_reaches_its_cin7_field(ctx: Session, sandbox: SandboxServer) -> None:
    order = take(
        ctx,
        checkout={
            "cin7_ship_method": "CourierPost Overnight",
            "Stage": "Processing",
            "CustomerOrderNo": "PO-77",
            "BranchId": 2,
            "DispatchedDate": "2026-05-01T14:30:00+12:00",
            "AccountingImportStatus": "Pending",
            "CustomFieldName1": "Gift",
            "CustomFieldValue1": "yes",
            "CustomFieldName4": "Channel",
            "CustomFieldValue4": "Web",
        },
    )

    submit(ctx, sandbox, order)

    made = sandbox.state.orders[order.cin7_id]
    fields = ("logisticsCarrier", "stage", "customerOrderNo", "branchId", "dispatchedDate")
    assert {name: made[name] for name in fields} == {
        "logisticsCarrier": "CourierPost Overnight",
        "stage": "Processing",
        "customerOrderNo": "PO-77",
        "branchId": 2,
        "dispatchedDate": "2026-05-01T02:30:00Z",
    }
    assert made["accountingAttributes"] == {"accountingImportStatus": "Pending"}
    assert made["customFields"] == {"Gift": "yes", "Channel": "Web"}


@pytest.mark.parametrize(
    ("checkout", "mail_class", "expected"),
    [
        ({"ShipMethod": "Shop Courier"}, "Standard", "Shop Courier"),
        ({"cin7_ship_method": "Cin7 Courier", "ShipMethod": "Shop Courier"}, "", "Cin7 Courier"),
        ({}, "Economy", "Economy"),
    ],
)
def test_the_ship_method_overrides_the_default_mail_class(
    ctx: Session, sandbox: SandboxServer, checkout: dict[str, str], mail_class: str, expected: str
) -> None:
    order = take(ctx, checkout=checkout)

    submit(ctx, sandbox, order, options=InboxOptions(default_mail_class=mail_class))

    assert sandbox.state.orders[order.cin7_id]["logisticsCarrier"] == expected


def test_the_after_import_folder_is_the_one_chosen(ctx: Session, sandbox: SandboxServer) -> None:
    order = take(ctx)
    folder = create_folder(ctx, "With the warehouse")
    ctx.commit()

    submit(ctx, sandbox, order, options=InboxOptions(after_import_folder_id=folder.id))

    assert order.folder.name == "With the warehouse"


def test_orders_go_in_one_batch_with_one_sku_check(ctx: Session, sandbox: SandboxServer) -> None:
    orders = [take(ctx, id=str(n), order_number=f"#{n}") for n in range(1, 4)]

    outcome = submit(ctx, sandbox, *orders)

    assert len(outcome.submitted) == 3
    assert calls(sandbox.state, "POST") == 1
    assert calls(sandbox.state, "GET", "ProductOptions") == 1
    assert len({o.cin7_id for o in orders}) == 3


def test_skus_are_asked_about_in_as_few_calls_as_a_short_url_allows(
    ctx: Session, sandbox: SandboxServer
) -> None:
    long = [{"sku": f"L{n:02d}-" + "X" * 116, "quantity": 1} for n in range(40)]
    short = [{"sku": f"S{n:03d}", "quantity": 1} for n in range(120)]
    orders = take(ctx, id="1", lines=long), take(ctx, id="2", lines=short)

    submit(ctx, sandbox, *orders)

    asked = [r.query["where"] for r in sandbox.state.requests if r.path.endswith("/ProductOptions")]
    encoded = [len(str(httpx.QueryParams({"where": where}))) - len("where=") for where in asked]
    assert len(asked) == 2 and max(encoded) <= MAX_FILTER_LENGTH  # 40 long SKUs need two
    assert sorted(sku for where in asked for sku in where.split("'")[1::2]) == sorted(
        line["sku"] for line in (*long, *short)
    )


def test_an_invalid_sku_is_named_and_the_order_is_not_sent(
    ctx: Session, sandbox: SandboxServer
) -> None:
    good = take(ctx, id="1")
    bad = take(
        ctx,
        id="2",
        lines=[
            {"sku": "MUG-SAND", "quantity": 1},
            {"sku": "NOPE-1", "quantity": 1},
            {"sku": "X'2", "quantity": 1},
        ],
    )

    outcome = submit(ctx, sandbox, good, bad)

    assert outcome == SubmitOutcome(submitted=(good.id,), refused=(bad.id,))
    assert kinds(bad) == ["imported", "not_submitted_invalid_sku", "moved"]
    assert bad.events[1].message == "Cin7 has no product with SKU NOPE-1, X'2."
    assert bad.events[1].detail == {"skus": ["NOPE-1", "X'2"]}
    assert bad.folder.name == "Errors" and bad.cin7_id is None and bad.error
    assert len(sandbox.state.orders) == 1


def test_an_order_without_products_is_refused_without_asking_cin7(
    ctx: Session, sandbox: SandboxServer
) -> None:
    order = take(ctx, lines=[{"name": "Gift wrap", "quantity": 1}])

    outcome = submit(ctx, sandbox, order)

    assert outcome.refused == (order.id,)
    assert kinds(order) == ["imported", "not_submitted_no_products", "moved"]
    assert order.folder.name == "Errors" and sandbox.state.requests == []


def test_a_branch_cin7_no_longer_has_is_a_general_error(
    ctx: Session, sandbox: SandboxServer
) -> None:
    order = take(ctx, checkout={"BranchId": 3})
    sandbox.state.branches = [b for b in sandbox.state.branches if b["id"] != 3]

    submit(ctx, sandbox, order)

    assert kinds(order)[1:] == ["not_submitted_error", "moved"]
    assert order.error == "Cin7 has no branch with id 3; change the order's BranchId."
    assert calls(sandbox.state, "POST") == 0


def test_an_order_cin7_refuses_keeps_cin7s_reason(ctx: Session, sandbox: SandboxServer) -> None:
    order = take(ctx)

    def product_removed_meanwhile(request: httpx.Request) -> None:
        if request.method == "POST":
            for product in sandbox.state.products.values():
                product["productOptions"] = [
                    o for o in product["productOptions"] if o["code"] != "MUG-SAND"
                ]

    submit(ctx, sandbox, order, request=[product_removed_meanwhile])

    assert kinds(order)[1:] == ["before_submit", "not_submitted_error", "moved"]
    assert order.error == "Cin7 refused the order: Unknown product code: MUG-SAND"
    assert order.submission_key is None and order.folder.name == "Errors"


def test_an_answer_lost_on_the_way_back_never_makes_a_second_cin7_order(
    ctx: Session, sandbox: SandboxServer
) -> None:
    order = take(ctx)

    def lose_the_answer(response: httpx.Response) -> None:
        if response.request.method == "POST":
            raise httpx.ReadTimeout("the answer was lost", request=response.request)

    first = submit(ctx, sandbox, order, response=[lose_the_answer])
    key = order.submission_key
    assert first.refused == (order.id,) and order.cin7_id is None and key
    assert "Station looks it up in Cin7 before sending it again" in (order.error or "")

    again = submit(ctx, sandbox, order)

    made = [o for o in sandbox.state.orders.values() if o["reference"] == key]
    assert again.submitted == (order.id,) and len(made) == 1
    assert order.cin7_id == made[0]["id"] and order.folder.name == "Submitted"
    assert calls(sandbox.state, "POST") == 1
    assert order.events[-2].message.startswith(f"Found in Cin7 as {key}")


def test_a_submitted_order_is_not_sent_again(ctx: Session, sandbox: SandboxServer) -> None:
    order = take(ctx)
    submit(ctx, sandbox, order)

    again = submit(ctx, sandbox, order)

    assert again == SubmitOutcome(skipped=(order.id,))
    assert calls(sandbox.state, "POST") == 1 and len(sandbox.state.orders) == 1


def test_an_order_another_run_is_submitting_is_left_alone(
    ctx: Session, sandbox: SandboxServer
) -> None:
    busy, stale = take(ctx, id="1"), take(ctx, id="2")
    busy.submitting_since = utcnow()
    stale.submitting_since = utcnow() - timedelta(hours=1)  # its worker died
    ctx.commit()

    outcome = submit(ctx, sandbox, busy, stale)

    assert outcome == SubmitOutcome(submitted=(stale.id,), skipped=(busy.id,))
    assert busy.submitting_since is not None and stale.submitting_since is None


def test_without_a_cin7_connection_the_order_waits_in_errors(ctx: Session) -> None:
    order = take(ctx)

    def not_connected() -> Cin7Client:
        raise Cin7NotConfigured("Cin7 is not connected yet: enter the API username and key.")

    outcome = submit_orders(ctx, not_connected, [order.id], options=InboxOptions(), now=utcnow)

    assert outcome.refused == (order.id,) and order.folder.name == "Errors"
    assert order.error == (
        "Could not check the order with Cin7: Cin7 is not connected yet: enter the API "
        "username and key."
    )
    assert order.submitting_since is None


def test_scheduling_logs_only_orders_not_in_cin7_yet(ctx: Session, sandbox: SandboxServer) -> None:
    sent, waiting = take(ctx, id="1"), take(ctx, id="2")
    submit(ctx, sandbox, sent)

    ids, _ = schedule_submission(ctx, [sent.id, waiting.id], at=utcnow(), by="manager")

    assert ids == [waiting.id]
    assert kinds(waiting) == ["imported", "scheduled"] and "scheduled" not in kinds(sent)


def test_scheduled_orders_wait_for_a_run_until_it_makes_or_refuses_them(
    ctx: Session, sandbox: SandboxServer
) -> None:
    made, refused, busy = take(ctx, id="1"), take(ctx, id="2"), take(ctx, id="3")
    refused.lines = [{"name": "Gift wrap", "quantity": 1}]
    now = utcnow()
    schedule_submission(ctx, [made.id, refused.id], at=now, by="rule: send")
    schedule_submission(ctx, [busy.id], at=now, by="manager")
    busy.submitting_since = now  # a live run holds it
    ctx.commit()

    before = scheduled_submissions(ctx, now=now)
    submit(ctx, sandbox, made, refused)
    after = scheduled_submissions(ctx, now=now)

    assert before == {"rule: send": [made.id, refused.id]}
    assert made.cin7_id is not None and refused.error is not None
    assert (made.scheduled_at, refused.scheduled_at) == (None, None)
    assert after == {}


def test_a_scheduled_order_whose_run_died_is_left_to_the_resubmission_sweep(
    ctx: Session,
) -> None:
    order = take(ctx)
    now = utcnow()
    schedule_submission(ctx, [order.id], at=now, by="manager")
    order.submitting_since = now  # the run that claimed it died with its worker
    ctx.commit()
    lapsed = now + RetryTiming().lease + timedelta(seconds=1)

    assert scheduled_submissions(ctx, now=lapsed) == {}
    assert due_for_resubmission(ctx, now=lapsed, timing=RetryTiming()) == [order.id]


def test_the_scheduled_sweep_takes_a_limited_number_of_orders_oldest_first(
    ctx: Session,
) -> None:
    orders = [take(ctx, id=str(n)) for n in range(3)]
    schedule_submission(ctx, [o.id for o in orders], at=utcnow(), by="rule: send")
    ctx.commit()

    assert scheduled_submissions(ctx, now=utcnow(), limit=2) == {
        "rule: send": [orders[0].id, orders[1].id]
    }
