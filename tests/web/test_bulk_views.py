"""Managers tick orders, dispatch them in bulk and watch the progress."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station.extensions import db
from station.models import BulkDispatch, Consignment, CostCentre, Printer, Role
from tests.builders import add_order
from tests.conftest import AuthActions


def setup_orders(app: Flask, n: int) -> tuple[list[int], int]:
    with app.app_context():
        printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        db.session.add(printer)
        ids = [add_order(db.session, cin7_id=9000 + i).id for i in range(n)]
        db.session.commit()
        return ids, printer.id


def test_a_bulk_run_ships_the_ticked_orders_and_shows_progress(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    ids, printer_id = setup_orders(app, 3)
    auth.login()
    page = client.get("/orders").get_data(as_text=True)
    assert 'form="bulk-form"' in page and "Dispatch the ticked orders" in page

    response = client.post(
        "/bulk",
        data={
            "order_id": [str(i) for i in ids],
            "printer_id": str(printer_id),
            "service": "ownlabel:ON",
            "weight": "1.1",
        },
    )

    assert response.status_code == 302
    progress = client.get(response.headers["Location"] + "/progress").get_data(as_text=True)
    assert "3 of 3 handled · 3 shipped · 0 refused · finished" in progress
    assert 'value="3"' in progress and "hx-trigger" not in progress  # stops polling
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Consignment)) == 3
    order_page = client.get(f"/orders/{ids[0]}").get_data(as_text=True)
    assert "Taken up by bulk dispatch 1" in order_page  # no bench scanned it
    assert "Scanned at the bench" not in order_page


def test_nothing_ticked_is_explained(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    _, printer_id = setup_orders(app, 1)
    auth.login()

    response = client.post(
        "/bulk",
        data={"printer_id": str(printer_id), "service": "ownlabel:ON", "weight": "1"},
        follow_redirects=True,
    )

    assert "Bulk dispatch not started: Tick at least one order" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulkDispatch)) == 0


def test_packers_cannot_bulk_dispatch(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    setup_orders(app, 1)
    auth.login("packer", role=Role.PACKER)

    assert "bulk-form" not in client.get("/orders").get_data(as_text=True)
    assert client.post("/bulk", data={}).status_code == 403


def test_a_bulk_run_ships_each_order_in_the_parcels_asked_for(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    ids, printer_id = setup_orders(app, 2)
    auth.login()
    assert 'name="parcels"' in client.get("/orders").get_data(as_text=True)

    response = client.post(
        "/bulk",
        data={
            "order_id": [str(i) for i in ids],
            "printer_id": str(printer_id),
            "service": "ownlabel:ON",
            "weight": "1.1",
            "parcels": "2",
        },
    )

    progress = client.get(response.headers["Location"] + "/progress").get_data(as_text=True)
    assert "2 of 2 handled (2 parcels each) · 2 shipped" in progress
    with app.app_context():
        tickets = [c.tickets for c in db.session.scalars(select(Consignment))]
        assert [len(t) for t in tickets] == [2, 2]


def refused_run(client: FlaskClient, app: Flask, **changes: str) -> str:
    """The page after one order's bulk run asked for with ``changes`` to a good form; no
    run may have started."""
    ids, printer_id = setup_orders(app, 1)
    form = {"order_id": [str(ids[0])], "printer_id": str(printer_id), "service": "ownlabel:ON",
            "weight": "1", "parcels": "1", **changes}  # fmt: skip
    response = client.post("/bulk", data=form, follow_redirects=True)
    assert response.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulkDispatch)) == 0
    return response.get_data(as_text=True)


def test_a_parcel_count_that_is_not_a_number_is_explained(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    page = refused_run(client, app, parcels="two")

    assert "Bulk dispatch not started: Type how many parcels each order goes out in" in page


@pytest.mark.parametrize("cost_centre", ["999", "0", "-1", "retired"])
def test_a_cost_centre_that_is_not_set_up_is_explained(
    app: Flask, client: FlaskClient, auth: AuthActions, cost_centre: str
) -> None:
    auth.login()
    if cost_centre == "retired":  # one that consignments name is retired, not deleted
        with app.app_context():
            centre = CostCentre(name="Old trade", markup_percent=10, active=False)
            db.session.add(centre)
            db.session.commit()
            cost_centre = str(centre.id)

    page = refused_run(client, app, cost_centre_id=cost_centre)

    assert "Bulk dispatch not started: That cost centre is no longer set up" in page


def test_with_no_printer_the_form_says_so_and_a_run_is_refused_as_it_says(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    with app.app_context():
        order_id = add_order(db.session).id
        db.session.commit()
    auth.login()

    page = client.get("/orders").get_data(as_text=True)

    assert 'name="printer_id"' not in page  # no empty list to choose from
    assert "No printer is set up, and a run prints each label as it ships" in page
    assert 'href="/printers/new">add a printer</a> first' in page
    assert 'disabled aria-describedby="bulk-no-printer">Dispatch the ticked orders' in page

    answer = client.post(
        "/bulk",
        data={"order_id": [str(order_id)], "service": "ownlabel:ON", "weight": "1"},
        follow_redirects=True,
    )

    assert (
        "Bulk dispatch not started: Choose the printer the labels come out on (when none is "
        "listed, add a printer first)." in answer.get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(BulkDispatch)) == 0
        assert db.session.scalar(select(func.count()).select_from(Consignment)) == 0
