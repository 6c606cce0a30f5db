"""One Enter at the bench: checks, consignment, labels and Cin7 write-backs, all or nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from station.carriers.errors import ShipmentRefused
from station.dispatch.options import DispatchOptions, FreightPush, TrackingField
from station.dispatch.ship import DispatchRefused
from station.models import (
    Consignment,
    OutboxItem,
    OutboxKind,
    PrintJob,
    Product,
)
from station.shipping.costs import CostCentreInput, save_cost_centre
from tests.builders import add_order, count, ship


def test_enter_books_prints_and_records_the_dispatched_update(ctx: Session) -> None:
    order = add_order(ctx)

    shipped = ship(ctx, order)

    ticket = shipped.consignment.tickets[0]
    assert shipped.consignment.order_id == order.id and len(shipped.jobs) == 1
    assert ticket.encode() in shipped.jobs[0].payload
    [item] = shipped.writebacks
    assert item.kind == OutboxKind.DISPATCHED
    assert item.payload == {
        "id": 5001,
        "stage": "Dispatched",
        "dispatchedDate": "2026-11-25T02:30:00Z",
        "trackingCode": shipped.consignment.tracking_url,
        "logisticsCarrier": "Own label Overnight",
    }


def test_the_same_key_twice_ships_once(ctx: Session) -> None:
    order = add_order(ctx)

    first = ship(ctx, order)
    again = ship(ctx, order)

    assert again.consignment.id == first.consignment.id
    assert (count(ctx, Consignment), count(ctx, PrintJob), count(ctx, OutboxItem)) == (1, 1, 1)


def test_a_second_bench_cannot_ship_an_order_already_shipped(ctx: Session) -> None:
    order = add_order(ctx)
    first = ship(ctx, order, key="bench-1-a")

    with pytest.raises(
        DispatchRefused, match=f"already has consignment {first.consignment.tickets[0]}"
    ):
        ship(ctx, order, key="bench-2-b")
    ctx.rollback()
    assert count(ctx, Consignment) == 1


def test_every_reason_an_order_cannot_ship_is_given(ctx: Session) -> None:
    order = add_order(
        ctx, is_void=True, stage="Dispatched", delivery_city="", delivery_postal_code=None
    )

    with pytest.raises(DispatchRefused) as refused:
        ship(ctx, order)
    ctx.rollback()

    message = str(refused.value)
    assert message.startswith("SO-5001 cannot ship: The order is void in Cin7")
    assert "already dispatched" in message and "no city, postcode" in message
    assert (count(ctx, Consignment), count(ctx, PrintJob), count(ctx, OutboxItem)) == (0, 0, 0)


@pytest.mark.parametrize(
    ("control", "size_range", "blocked"),
    [
        ("Batch", None, True),
        ("Serial", None, True),
        ("Batch", 12, False),  # batches kept through a size grid are fine
        ("FIFO", None, False),
    ],
)
def test_the_batch_serial_guard(
    ctx: Session, control: str, size_range: int | None, blocked: bool
) -> None:
    ctx.add(Product(cin7_id=77, name="Tee", stock_control=control, size_range_id=size_range))
    order = add_order(ctx)

    if blocked:
        with pytest.raises(DispatchRefused, match=f"TEE-BLK-M \\(Tee\\) is {control}-controlled"):
            ship(ctx, order)
    else:
        assert ship(ctx, order).consignment.tickets


def test_the_guard_can_be_turned_off(ctx: Session) -> None:
    ctx.add(Product(cin7_id=77, name="Tee", stock_control="Serial"))
    order = add_order(ctx)

    assert ship(ctx, order, block_batch_serial=False).consignment.tickets


def test_a_carrier_refusal_leaves_nothing_behind(ctx: Session) -> None:
    order = add_order(ctx, delivery_postal_code="99999")

    with pytest.raises(ShipmentRefused):
        ship(ctx, order)
    ctx.rollback()

    assert (count(ctx, Consignment), count(ctx, PrintJob), count(ctx, OutboxItem)) == (0, 0, 0)


def test_freight_and_shopify_wait_for_the_dispatched_update(ctx: Session) -> None:
    centre = save_cost_centre(ctx, CostCentreInput("Retail", "10", "1.50"))
    order = add_order(ctx)

    shipped = ship(
        ctx,
        order,
        freight_push=FreightPush.CHARGED,
        shopify_link_id="abc123",
        req={"cost_centre_id": centre.id},
    )

    dispatched, freight, shopify = shipped.writebacks
    assert freight.after_id == dispatched.id and shopify.after_id == dispatched.id
    assert freight.payload["freightTotal"] == float(shipped.consignment.charged)
    cost = shipped.consignment.cost
    assert shipped.consignment.charged == (cost * Decimal("1.1") + Decimal("1.50")).quantize(
        Decimal("0.01")
    )
    assert freight.payload["freightDescription"] == "Own label Overnight"
    assert shopify.payload == {"order_id": 5001}  # the URL is made when it is sent


def test_a_ticket_number_goes_to_tracking_code_and_the_url_to_comments(ctx: Session) -> None:
    order = add_order(ctx)

    shipped = ship(ctx, order, tracking_field=TrackingField.TICKET)

    payload = shipped.writebacks[0].payload
    assert payload["trackingCode"] == shipped.consignment.tickets[0]
    assert payload["internalComments"] == (
        f"Leave at the door\nTracking: {shipped.consignment.tracking_url}"
    )


def test_without_send_back_nothing_is_owed_to_cin7(ctx: Session) -> None:
    order = add_order(ctx)

    shipped = ship(ctx, order, send_back_ticket=False)

    assert shipped.writebacks == [] and count(ctx, OutboxItem) == 0


def test_the_shopify_trigger_needs_send_back_ticket() -> None:
    problems = DispatchOptions(send_back_ticket=False, shopify_link_id="abc").problems()

    assert any("needs 'Send back ticket number'" in p for p in problems)
