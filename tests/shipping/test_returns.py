"""Return labels on SQLite and PostgreSQL: addresses swapped, linked, booked once, marked RETURN."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace

import pypdf
import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.carriers.base import Parcel, utc_now
from station.extensions import db
from station.labels import render_pdf, render_zpl
from station.models import Consignment, ConsignmentState, TicketCounter
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from station.shipping.codec import layout_from_json, shipment_from_json
from station.shipping.records import SqlConsignmentStore
from station.shipping.returns import ReturnRefused, book_return
from tests.carriers.samples import SENDER, address, shipment


@pytest.fixture
def ctx(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


@pytest.fixture
def original(ctx: Session) -> Consignment:
    """SO-1042 sent to Aroha Ngata in two parcels on Overnight."""
    row = book_consignment(ctx, own_label(ctx), shipment(1200, 800), key="out-1")
    ctx.commit()
    return row


def consignments(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Consignment)) or 0


def test_a_return_goes_from_the_receiver_back_to_the_sender(
    ctx: Session, original: Consignment
) -> None:
    row = book_return(ctx, own_label(ctx), original, key="ret-1")
    ctx.commit()

    sent, back = shipment_from_json(original.shipment), shipment_from_json(row.shipment)
    assert (back.sender, back.receiver) == (sent.receiver, sent.sender)
    assert row.is_return and row.return_of_id == original.id
    assert row.state == ConsignmentState.CREATED and row.service_code == original.service_code
    assert [p.weight_grams for p in row.parcels] == [1200, 800]
    assert row.reference == "SO-1042" and row.order_id == original.order_id
    assert len(row.tickets) == 2 and not set(row.tickets) & set(original.tickets)
    labels = [layout_from_json(label) for label in row.labels]
    assert [label.receiver.name for label in labels] == [SENDER.name, SENDER.name]
    assert [label.sender.name for label in labels] == ["Aroha Ngata", "Aroha Ngata"]
    assert all(label.instructions == "RETURN" for label in labels)


def test_the_return_label_says_return_in_zpl_and_pdf(ctx: Session, original: Consignment) -> None:
    row = book_return(ctx, own_label(ctx), original, key="ret-1")
    layout = layout_from_json(row.labels[0])

    assert b"^FDRETURN^FS" in render_zpl(layout)
    [page] = pypdf.PdfReader(io.BytesIO(render_pdf([layout]))).pages
    assert "RETURN" in page.extract_text()


def test_a_return_to_a_rural_sender_keeps_both_instructions(ctx: Session) -> None:
    farm = address(name="Farm Shop", lines=("88 Totara Road", "RD 2"), postcode="2120")
    sent = book_consignment(
        ctx, own_label(ctx), replace(shipment(1000), sender=farm), key="out-farm"
    )

    row = book_return(ctx, own_label(ctx), sent, key="ret-farm")

    assert layout_from_json(row.labels[0]).instructions == "RETURN\nRURAL DELIVERY"
    assert b"RURAL DELIVERY" in render_zpl(layout_from_json(row.labels[0]))


def test_the_same_key_books_the_return_once(ctx: Session, original: Consignment) -> None:
    first = book_return(ctx, own_label(ctx), original, key="ret-1")
    ctx.commit()
    counter_after_first = ctx.scalar(select(func.sum(TicketCounter.next_number)))

    again = book_return(ctx, own_label(ctx), original, key="ret-1")
    ctx.commit()

    assert again.id == first.id and again.tickets == first.tickets
    assert again.labels == first.labels  # marked once, not "RETURN\nRETURN"
    assert consignments(ctx) == 2
    assert ctx.scalar(select(func.sum(TicketCounter.next_number))) == counter_after_first


def test_another_service_and_other_parcels_may_be_chosen(
    ctx: Session, original: Consignment
) -> None:
    row = book_return(
        ctx, own_label(ctx), original, key="ret-1", service_code="EC", parcels=[Parcel(500)]
    )

    assert row.service_code == "EC" and row.service_name == "Economy"
    assert [p.weight_grams for p in row.parcels] == [500] and len(row.tickets) == 1


def test_a_voided_consignment_cannot_be_returned(ctx: Session, original: Consignment) -> None:
    carrier = own_label(ctx)
    stored = SqlConsignmentStore(ctx).get("out-1")
    assert stored is not None
    carrier.void(stored, now=utc_now())
    ctx.commit()

    with pytest.raises(ReturnRefused) as refused:
        book_return(ctx, carrier, original, key="ret-1")

    assert "cannot be returned: It was voided, so it never left." in str(refused.value)
    assert original.tickets[0] in str(refused.value)
    ctx.rollback()
    assert consignments(ctx) == 1


def test_a_return_cannot_be_returned(ctx: Session, original: Consignment) -> None:
    back = book_return(ctx, own_label(ctx), original, key="ret-1")
    ctx.commit()

    with pytest.raises(ReturnRefused, match="cannot be returned: It is a return already"):
        book_return(ctx, own_label(ctx), back, key="ret-2")
    ctx.rollback()
    assert consignments(ctx) == 2


def test_a_key_used_for_another_booking_is_refused(ctx: Session, original: Consignment) -> None:
    with pytest.raises(ReturnRefused, match="'out-1' was already used"):
        book_return(ctx, own_label(ctx), original, key="out-1")

    assert not original.is_return and original.return_of_id is None
