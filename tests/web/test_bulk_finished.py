"""A finished bulk run's page: every ticket, the refusals, and printing all labels again."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station.extensions import db
from station.models import (
    AuditEvent,
    BulkDispatch,
    Consignment,
    ConsignmentState,
    Printer,
    PrintJob,
)
from tests.builders import add_order
from tests.conftest import AuthActions


def finished_run(app: Flask, client: FlaskClient, auth: AuthActions, *, parcels: int = 1) -> str:
    """A run of two shippable orders and one on hold; returns its page's address."""
    with app.app_context():
        printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        db.session.add_all(
            [printer, Printer(name="Bench 2", spec={"format": "zpl", "transport": "memory"})]
        )
        ids = [add_order(db.session, cin7_id=9000 + i).id for i in range(2)]
        ids.append(add_order(db.session, cin7_id=9100, stage="On Hold").id)
        db.session.commit()
        printer_id = printer.id
    auth.login()
    response = client.post(
        "/bulk",
        data={
            "order_id": [str(i) for i in ids],
            "printer_id": str(printer_id),
            "service": "ownlabel:ON",
            "weight": "1",
            "parcels": str(parcels),
        },
    )
    return response.headers["Location"]


def printer_id(app: Flask, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(Printer.id).where(Printer.name == name)) or 0


def test_the_finished_page_lists_every_ticket_and_each_refusal(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    run_page = finished_run(app, client, auth, parcels=2)

    page = client.get(run_page).get_data(as_text=True)

    assert "3 of 3 handled (2 parcels each) · 2 shipped · 1 refused · finished" in page
    with app.app_context():
        consignments = db.session.scalars(select(Consignment).order_by(Consignment.id)).all()
        assert len(consignments) == 2
        for consignment in consignments:
            assert f">{consignment.reference}</a>" in page
            for ticket in consignment.tickets:
                assert f'href="/consignments?q={ticket}">{ticket}</a>' in page
    assert "Not shipped" in page and ">SO-9100</a>" in page  # the refused order
    with app.app_context():
        (refusal,) = db.session.scalars(select(BulkDispatch)).one().failures
    assert f'<td class="bad">{refusal["reason"]}</td>' in page and "On Hold" in refusal["reason"]
    assert "Print all labels again" in page


def test_a_run_still_going_offers_no_reprint(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    run_page = finished_run(app, client, auth)
    with app.app_context():
        run = db.session.scalars(select(BulkDispatch)).one()
        run.finished_at = None
        db.session.commit()

    assert "Print all labels again" not in client.get(run_page).get_data(as_text=True)
    response = client.post(
        run_page + "/reprint",
        data={"printer_id": printer_id(app, "Bench 2")},
        follow_redirects=True,
    )
    assert "Labels not printed again: The run is still going" in response.get_data(as_text=True)


def test_print_all_again_queues_one_reprint_per_label_and_is_audited(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    run_page = finished_run(app, client, auth, parcels=2)
    bench_2 = printer_id(app, "Bench 2")

    response = client.post(
        run_page + "/reprint", data={"printer_id": str(bench_2)}, follow_redirects=True
    )

    assert "4 label(s) of 2 consignment(s) sent to Bench 2 again." in response.get_data(
        as_text=True
    )
    with app.app_context():
        reprints = db.session.scalars(select(PrintJob).where(PrintJob.kind == "reprint")).all()
        assert len(reprints) == 4 and {job.printer_id for job in reprints} == {bench_2}
        assert len({job.consignment_id for job in reprints}) == 2
        actions = db.session.scalars(select(AuditEvent.action)).all()
        assert actions.count("consignment.reprinted") == 2
        entry = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "bulk.reprinted")
        ).one()
        assert entry.detail == {
            "printer": "Bench 2",
            "labels": 4,
            "consignments": 2,
            "skipped": [],
        }


def test_a_voided_consignment_is_skipped_with_the_reason(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    run_page = finished_run(app, client, auth)
    with app.app_context():
        voided = db.session.scalars(select(Consignment).order_by(Consignment.id)).first()
        assert voided is not None
        voided.state = ConsignmentState.VOIDED
        reference = voided.reference
        db.session.commit()

    response = client.post(
        run_page + "/reprint",
        data={"printer_id": printer_id(app, "Bench 1")},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert "1 label(s) of 1 consignment(s) sent to Bench 1 again." in page
    assert f"{reference} not printed again:" in page
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(PrintJob).where(PrintJob.kind == "reprint")
            )
            == 1
        )


def test_no_printer_chosen_prints_nothing(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    run_page = finished_run(app, client, auth)

    response = client.post(run_page + "/reprint", data={}, follow_redirects=True)

    assert "Labels not printed again: Choose the printer" in response.get_data(as_text=True)
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count()).select_from(PrintJob).where(PrintJob.kind == "reprint")
            )
            == 0
        )
