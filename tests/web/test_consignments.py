"""The consignment list over HTTP: everyone reads it; managers reprint and void any row."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import (
    AuditEvent,
    Consignment,
    ConsignmentState,
    JobState,
    Printer,
    PrintJob,
    Role,
)
from station.shipping.booking import book_consignment
from station.shipping.carriers import own_label
from station.shipping.labels import queue_consignment_labels
from tests.builders import add_order
from tests.carriers.samples import shipment
from tests.conftest import AuthActions

HTMX = {"HX-Request": "true"}


@pytest.fixture
def shipped(app: Flask) -> int:
    """SO-5001 booked with own label, its label printed on Bench 1; an office PDF printer."""
    with app.app_context():
        bench = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        db.session.add(Printer(name="Office", spec={"format": "pdf", "transport": "memory"}))
        order = add_order(db.session)
        consignment = book_consignment(
            db.session, own_label(db.session), shipment(reference="SO-5001"), key="k", order=order
        )
        for job in queue_consignment_labels(db.session, consignment, bench):
            job.state = JobState.DONE
        db.session.commit()
        return consignment.id


def state_and_tickets(app: Flask, consignment_id: int) -> tuple[ConsignmentState, list[str]]:
    with app.app_context():
        row = db.session.get(Consignment, consignment_id)
        assert row is not None
        return row.state, row.tickets


def test_packers_read_the_list_but_cannot_void_or_reprint_from_it(
    client: FlaskClient, auth: AuthActions, shipped: int
) -> None:
    assert client.get("/consignments").status_code == 302  # sign in first
    auth.login("packer", role=Role.PACKER)

    page = client.get("/consignments").get_data(as_text=True)

    assert 'href="/consignments" aria-current="page">Consignments</a>' in page
    assert 'href="/orders/1">SO-5001</a>' in page and "printed" in page
    assert "/void" not in page and "Reprint" not in page
    assert client.post(f"/consignments/{shipped}/void").status_code == 403
    assert client.post(f"/consignments/{shipped}/reprint").status_code == 403


def test_a_manager_voids_a_consignment_and_the_row_says_so(
    app: Flask, client: FlaskClient, auth: AuthActions, shipped: int
) -> None:
    auth.login()

    response = client.post(f"/consignments/{shipped}/void", headers=HTMX)

    fragment = response.get_data(as_text=True)
    assert response.status_code == 200
    assert fragment.startswith(f'<tr id="consignment-{shipped}" class="state-voided">')
    assert 'id="consignment-message" hx-swap-oob="true"' in fragment
    state, [ticket] = state_and_tickets(app, shipped)
    assert f"Consignment {ticket} voided" in fragment and state == ConsignmentState.VOIDED


def test_voiding_twice_is_refused_with_the_reason(
    client: FlaskClient, auth: AuthActions, shipped: int
) -> None:
    auth.login()
    client.post(f"/consignments/{shipped}/void", headers=HTMX)

    again = client.post(f"/consignments/{shipped}/void", headers=HTMX)

    assert again.status_code == 422
    assert "is voided, so there is nothing to void" in again.get_data(as_text=True)


def test_a_manager_reprints_the_labels_on_another_printer(
    app: Flask, client: FlaskClient, auth: AuthActions, shipped: int
) -> None:
    auth.login()
    with app.app_context():
        office = db.session.scalar(select(Printer.id).where(Printer.name == "Office"))

    response = client.post(
        f"/consignments/{shipped}/reprint", data={"printer_id": office}, headers=HTMX
    )

    assert response.status_code == 200
    assert "1 label(s) of SO-5001 sent to Office again." in response.get_data(as_text=True)
    with app.app_context():
        copy = db.session.scalars(select(PrintJob).order_by(PrintJob.id.desc())).first()
        assert copy is not None and copy.printer_id == office and copy.kind == "reprint"
        assert copy.state == JobState.DONE and copy.payload.startswith(b"%PDF")


def test_without_htmx_a_reprint_answers_with_a_redirect_and_a_message(
    client: FlaskClient, auth: AuthActions, shipped: int
) -> None:
    auth.login()

    response = client.post(f"/consignments/{shipped}/reprint", data={"printer_id": ""})
    page = client.get("/consignments").get_data(as_text=True)

    assert response.status_code == 302 and response.headers["Location"] == "/consignments"
    assert "1 label(s) of SO-5001 sent to Bench 1 again." in page


def test_a_printer_that_is_not_listed_is_refused(
    client: FlaskClient, auth: AuthActions, shipped: int
) -> None:
    auth.login()

    response = client.post(
        f"/consignments/{shipped}/reprint", data={"printer_id": "999"}, headers=HTMX
    )

    assert response.status_code == 422
    assert "Choose one of the printers listed." in response.get_data(as_text=True)


def test_filters_narrow_the_list_and_a_bad_day_is_explained(
    client: FlaskClient, auth: AuthActions, shipped: int
) -> None:
    auth.login()

    voided = client.get("/consignments?status=voided").get_data(as_text=True)
    found = client.get("/consignments?q=5001", headers=HTMX).get_data(as_text=True)
    bad_day = client.get("/consignments?day=someday")

    assert "No consignments match." in voided
    assert found.startswith('<p class="count">1 consignment</p>') and "<html" not in found
    assert bad_day.status_code == 422
    assert "The day &#39;someday&#39; is not a date (YYYY-MM-DD)." in bad_day.get_data(as_text=True)


def audit_actions(app: Flask, consignment_id: int) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditEvent.action)
                .where(
                    AuditEvent.target_type == "consignment", AuditEvent.target_id == consignment_id
                )
                .order_by(AuditEvent.id)
            )
        )


def test_reprinting_and_voiding_from_the_list_are_audited_as_at_the_bench(
    app: Flask, client: FlaskClient, auth: AuthActions, shipped: int
) -> None:
    auth.login()

    client.post(f"/consignments/{shipped}/reprint", data={"printer_id": ""}, headers=HTMX)
    client.post(f"/consignments/{shipped}/void", headers=HTMX)

    actions = audit_actions(app, shipped)
    assert actions.count("consignment.reprinted") == 1
    assert actions.count("consignment.voided") == 1
    with app.app_context():
        entry = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "consignment.reprinted")
        ).one()
        assert entry.detail == {"printer": "Bench 1", "labels": 1}
