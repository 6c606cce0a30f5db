"""Carrier outage: a ticket booked on the carrier's portal is recorded and written back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.carriers.base import ConsignmentResult, Parcel, Shipment
from station.carriers.errors import CarrierUnavailable, ShipmentRefused
from station.dispatch import outage as outage_module
from station.dispatch import ship as ship_module
from station.dispatch.options import DispatchOptions, Sender
from station.dispatch.outage import book_queued
from station.dispatch.ship import ShipRequest, ship_order
from station.dispatch.void import void_consignment
from station.extensions import db
from station.models import (
    Consignment,
    ConsignmentState,
    OutboxItem,
    OutboxState,
    Printer,
    PrintJob,
    Role,
)
from station.shipping.carriers import own_label
from tests.builders import add_order, add_printer
from tests.conftest import AuthActions
from tests.web.bench import open_order


def manual(session: Session, order_id: int, ticket: str, key: str = "bench-1") -> Any:
    return ship_order(
        session,
        order_id,
        ShipRequest(key=key, parcels=(Parcel(1000),), service_code="ON", manual_ticket=ticket),
        printer=session.scalars(select(Printer)).one(),
        user=None,
        options=DispatchOptions(),
        sender=Sender(),
        now=datetime.now(UTC),
    )


def test_a_hand_entered_ticket_is_recorded_written_back_and_not_printed(ctx: Session) -> None:
    order = add_order(ctx)
    add_printer(ctx)

    shipped = manual(ctx, order.id, " np123456789nz ")

    assert shipped.consignment.tickets == ["NP123456789NZ"]
    assert shipped.consignment.state == ConsignmentState.CREATED and shipped.jobs == []
    assert shipped.writebacks[0].payload["trackingCode"] == "NP123456789NZ"
    assert ctx.scalar(select(func.count()).select_from(PrintJob)) == 0


def test_an_unusable_ticket_is_refused(ctx: Session) -> None:
    order = add_order(ctx)
    add_printer(ctx)

    with pytest.raises(ShipmentRefused, match="printable ASCII"):
        manual(ctx, order.id, "TICKET-Ä")


def test_voiding_a_hand_entered_ticket_says_to_void_it_on_the_portal(ctx: Session) -> None:
    order = add_order(ctx)
    add_printer(ctx)
    shipped = manual(ctx, order.id, "NP1")

    voided = void_consignment(ctx, shipped.consignment, now=datetime.now(UTC))

    assert shipped.consignment.state == ConsignmentState.VOIDED
    assert shipped.writebacks[0].state == OutboxState.CANCELLED
    assert any("carrier's own portal" in note for note in voided.not_undone)


class DownCarrier:
    """The own-label carrier's API, unreachable."""

    code, name, remote = "ownlabel", "Own label", True

    def create(self, shipment: Shipment, idempotency_key: str) -> ConsignmentResult:
        raise CarrierUnavailable("the carrier's API timed out after 30 s")


def test_the_bench_offers_the_portal_ticket_when_the_carrier_is_down(
    app: Flask, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        add_order(db.session)
        add_printer(db.session)
        db.session.commit()
    auth.login("packer", role=Role.PACKER)
    monkeypatch.setattr(ship_module, "carrier_for", lambda session, code: DownCarrier())
    _, key = open_order(client)
    fields = {"order_id": "1", "key": key, "weight": "1", "service": "ownlabel:ON"}

    down = client.post("/bench/ship", data=fields)
    booked = client.post("/bench/ship", data={**fields, "manual_ticket": "NP42"})

    assert down.status_code == 422
    page = down.get_data(as_text=True)
    assert "cannot be reached: the carrier&#39;s API timed out" in page
    assert 'name="manual_ticket"' in page and f'value="{key}"' in page
    assert booked.status_code == 200 and "NP42" in booked.get_data(as_text=True)


class FlakyCarrier:
    """The own-label carrier behind an API that can be switched off."""

    down = True
    remote = True

    def __init__(self, session: Session) -> None:
        self._inner = own_label(session)
        self.code, self.name = self._inner.code, self._inner.name

    def create(self, shipment: Shipment, idempotency_key: str) -> ConsignmentResult:
        if FlakyCarrier.down:
            raise CarrierUnavailable("connection refused")
        return self._inner.create(shipment, idempotency_key)


def test_a_queued_consignment_is_booked_printed_and_written_back_when_the_carrier_returns(
    app: Flask, client: FlaskClient, auth: AuthActions, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        add_order(db.session)
        add_printer(db.session)
        db.session.commit()
    auth.login("packer", role=Role.PACKER)
    FlakyCarrier.down = True
    for module in (ship_module, outage_module):
        monkeypatch.setattr(module, "carrier_for", lambda session, code: FlakyCarrier(session))
    _, key = open_order(client)
    fields = {"order_id": "1", "key": key, "weight": "1.4", "service": "ownlabel:ON"}
    assert client.post("/bench/ship", data=fields).status_code == 422

    queued = client.post("/bench/queue", data={"key": key}).get_data(as_text=True)
    with app.app_context():
        still_down = book_queued(db.session, options=DispatchOptions(), now=datetime.now(UTC))
        FlakyCarrier.down = False
        back = book_queued(db.session, options=DispatchOptions(), now=datetime.now(UTC))
        consignment = db.session.scalars(select(Consignment)).one()
        jobs = db.session.scalars(select(PrintJob)).all()
        items = db.session.scalars(select(OutboxItem)).all()

        assert "queued for Own label" in queued
        assert (still_down.booked, still_down.waiting) == ([], 1)
        assert back.booked == [consignment.id] and consignment.state == ConsignmentState.CREATED
        assert consignment.parcels[0].weight_grams == 1400  # the recorded request, replayed
        assert len(jobs) == 1 and consignment.tickets[0].encode() in jobs[0].payload
        assert [item.kind.value for item in items] == ["dispatched"]
    again = client.post("/bench/ship", data=fields).get_data(as_text=True)
    assert consignment.tickets[0] in again  # the same key now finds the booked consignment
