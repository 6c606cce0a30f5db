"""One order's page says why the bench would refuse it, and opens it at the bench."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from station.extensions import db
from station.models import AuditEvent, Consignment, ConsignmentState, PrintJob, Role
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from tests.builders import add_order, add_printer
from tests.carriers.samples import shipment
from tests.web.conftest import signed_in


def test_the_order_page_lists_the_reasons_the_bench_would_give(app: Flask) -> None:
    with app.app_context():
        blocked = add_order(db.session, 5001, is_void=True, delivery_city=" ").id
        ready = add_order(db.session, 5002).id
        confirm = add_order(db.session, 5003, stage="Awaiting Payment").id
        db.session.commit()
    packer = signed_in(app, "packer", Role.PACKER)

    refused = packer.get(f"/orders/{blocked}").get_data(as_text=True)
    fine = packer.get(f"/orders/{ready}").get_data(as_text=True)
    asks = packer.get(f"/orders/{confirm}").get_data(as_text=True)

    assert "<h2>Cannot ship</h2>" in refused
    assert "<li>the order is void in Cin7</li>" in refused
    assert "<li>the delivery address has no city</li>" in refused
    assert 'id="cannot-ship"' not in fine
    assert "It is Awaiting Payment in Cin7: the bench ships it once a person confirms." in asks


def test_open_at_the_bench_scans_the_order_as_the_bench_page_loads(app: Flask) -> None:
    with app.app_context():
        order_id = add_order(db.session, 5001).id
        db.session.commit()
    packer = signed_in(app, "packer", Role.PACKER)

    page = packer.get(f"/orders/{order_id}").get_data(as_text=True)
    bench = packer.get("/bench?open=SO-5001").get_data(as_text=True)
    plain = packer.get("/bench").get_data(as_text=True)

    assert 'href="/bench?open=SO-5001">Open at the bench</a>' in page
    assert 'hx-trigger="submit, load"' in bench and 'value="SO-5001"' in bench
    assert 'hx-trigger="submit, load"' not in plain


def test_a_scan_sent_before_the_page_was_ready_opens_the_order_as_it_loads(app: Flask) -> None:
    """Enter pressed before htmx had loaded submits the scan form as a plain GET."""
    packer = signed_in(app, "packer", Role.PACKER)

    bench = packer.get("/bench?scan=SO-5001").get_data(as_text=True)

    assert 'hx-trigger="submit, load"' in bench and 'value="SO-5001"' in bench


def shipped(app: Flask) -> tuple[int, int, int]:
    """An order with a booked consignment, and a printer: (order id, consignment id, printer id)."""
    with app.app_context():
        printer = add_printer(db.session)
        order = add_order(db.session, 5001)
        row = book_consignment(
            db.session, own_label(db.session), shipment(reference="SO-5001"), key="k-1", order=order
        )
        db.session.commit()
        return order.id, row.id, printer.id


def test_a_return_label_is_booked_once_printed_and_audited(app: Flask) -> None:
    order_id, consignment_id, printer_id = shipped(app)
    packer = signed_in(app, "manager", Role.MANAGER)

    page = packer.get(f"/orders/{order_id}").get_data(as_text=True)
    first = packer.post(
        f"/consignments/{consignment_id}/return",
        data={"printer_id": str(printer_id)},
        follow_redirects=True,
    ).get_data(as_text=True)
    again = packer.post(
        f"/consignments/{consignment_id}/return",
        data={"printer_id": str(printer_id)},
        follow_redirects=True,
    ).get_data(as_text=True)

    assert f'action="/consignments/{consignment_id}/return"' in page
    assert re.search(r"Return label ON\d+ booked for SO-5001; it prints on Bench 1\.", first)
    assert "Return Consignment" in first
    with app.app_context():
        returns = db.session.scalars(
            select(Consignment).where(Consignment.return_of_id == consignment_id)
        ).all()
        assert len(returns) == 1 and returns[0].is_return
        (back,) = returns
        jobs = db.session.scalars(select(PrintJob).where(PrintJob.consignment_id == back.id)).all()
        assert len(jobs) == len(back.labels) == 1  # pressed twice, printed once
        assert jobs[0].printer_id == printer_id
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "consignment.return_booked")
        ).all()
        assert len(actions) == 2  # each press is recorded; the second booked nothing new
    assert again.count("Return Consignment") == 1
    after = packer.get(f"/orders/{order_id}").get_data(as_text=True)
    assert f'action="/consignments/{consignment_id}/return"' not in after  # booked: no button


def test_a_voided_consignment_cannot_be_returned_and_says_why(app: Flask) -> None:
    order_id, consignment_id, printer_id = shipped(app)
    with app.app_context():
        db.session.get(Consignment, consignment_id).state = ConsignmentState.VOIDED
        db.session.commit()
    packer = signed_in(app, "manager", Role.MANAGER)

    page = packer.post(
        f"/consignments/{consignment_id}/return",
        data={"printer_id": str(printer_id)},
        follow_redirects=True,
    ).get_data(as_text=True)

    assert "cannot be returned: It was voided, so it never left." in page
    with app.app_context():
        assert not db.session.scalars(
            select(Consignment).where(Consignment.return_of_id == consignment_id)
        ).all()


def test_packers_are_not_offered_return_labels(app: Flask) -> None:
    order_id, consignment_id, printer_id = shipped(app)
    packer = signed_in(app, "packer", Role.PACKER)

    page = packer.get(f"/orders/{order_id}").get_data(as_text=True)
    refused = packer.post(f"/consignments/{consignment_id}/return", data={"printer_id": "1"})

    assert "Return label" not in page and refused.status_code == 403
