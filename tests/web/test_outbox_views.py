"""Managers see failed write-backs with their errors, retry them, and read each timeline."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.carriers.base import Parcel
from station.db import utcnow
from station.dispatch.options import DispatchOptions, Sender
from station.dispatch.ship import ShipRequest, ship_order
from station.dispatch.void_orders import VOID_NOTE, cancel_for_void_orders
from station.extensions import db
from station.models import AuditEvent, OutboxItem, OutboxState, Role, SalesOrder
from tests.builders import add_order, add_printer
from tests.conftest import AuthActions


def shipped_with_a_failed_writeback(app: Flask) -> int:
    with app.app_context():
        order = add_order(db.session)
        printer = add_printer(db.session)
        shipped = ship_order(
            db.session,
            order.id,
            ShipRequest(key="k-1", parcels=(Parcel(1000),), service_code="ON", scanned_at=utcnow()),
            printer=printer,
            user=None,
            options=DispatchOptions(),
            sender=Sender(),
            now=utcnow(),
        )
        item = shipped.writebacks[0]
        item.state, item.attempts = OutboxState.FAILED, 6
        item.last_error = "Stage <b>Dispatched</b> is locked"
        db.session.commit()
        return order.id


def test_failed_writebacks_are_listed_with_their_error_and_counted_in_the_header(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    shipped_with_a_failed_writeback(app)
    auth.login()

    page = client.get("/outbox").get_data(as_text=True)

    assert "SO-5001" in page and "Stage &lt;b&gt;Dispatched&lt;/b&gt; is locked" in page
    assert 'Needs attention <span class="badge">1</span>' in page


def signed_in_with_a_failed_writeback(app: Flask, auth: AuthActions) -> int:
    """A manager signed in, and the id of the one write-back, which failed."""
    shipped_with_a_failed_writeback(app)
    auth.login()
    with app.app_context():
        item_id = db.session.scalar(select(OutboxItem.id))
    assert item_id is not None
    return item_id


def test_retry_puts_a_failed_writeback_back_in_the_queue(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    item_id = signed_in_with_a_failed_writeback(app, auth)

    response = client.post(f"/outbox/{item_id}/retry")

    assert response.status_code == 302
    with app.app_context():
        item = db.session.get(OutboxItem, item_id)
        assert item is not None and item.state == OutboxState.PENDING and item.attempts == 0


def test_a_second_retry_click_says_nothing_was_retried_and_audits_once(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    item_id = signed_in_with_a_failed_writeback(app, auth)

    client.post(f"/outbox/{item_id}/retry")
    again = client.post(f"/outbox/{item_id}/retry", follow_redirects=True).get_data(as_text=True)

    assert "is already queued, not failed; nothing was retried." in again
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("outbox.retried") == 1


def test_the_order_page_shows_the_consignment_its_writebacks_and_timeline(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    order_id = shipped_with_a_failed_writeback(app)
    auth.login()

    page = client.get(f"/orders/{order_id}").get_data(as_text=True)

    assert "Consignment ON" in page and "dispatched" in page and ">Retry</button>" in page
    assert "Scanned at the bench" in page and "Booked with the carrier" in page


def test_packers_see_neither_the_list_nor_the_retry(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    order_id = shipped_with_a_failed_writeback(app)
    auth.login("packer", role=Role.PACKER)

    assert client.get("/outbox").status_code == 403
    assert client.post("/outbox/1/retry").status_code == 403
    assert ">Retry</button>" not in client.get(f"/orders/{order_id}").get_data(as_text=True)


def test_writebacks_cancelled_for_a_void_order_show_their_note_on_both_pages(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    order_id = shipped_with_a_failed_writeback(app)
    with app.app_context():
        order = db.session.get(SalesOrder, order_id)
        assert order is not None
        order.is_void = True  # the sync read it void from Cin7
        cancel_for_void_orders(db.session, cin7_ids=[order.cin7_id])
        db.session.commit()
    auth.login()

    outbox = client.get("/outbox").get_data(as_text=True)
    order_page = client.get(f"/orders/{order_id}").get_data(as_text=True)

    assert "Not sent: the order is void in Cin7" in outbox and "SO-5001" in outbox
    assert 'Needs attention <span class="badge">' not in outbox  # nothing left to do
    assert VOID_NOTE in order_page and "cancelled" in order_page
