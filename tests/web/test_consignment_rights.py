"""Who may void or reprint a consignment, the same on the bench and on the list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station.extensions import db
from station.models import Consignment, ConsignmentState, PrintJob, Role
from tests.builders import add_order
from tests.web.bench import open_order, ship
from tests.web.conftest import signed_in

HTMX = {"HX-Request": "true"}
VOIDS = ["/bench/consignments/{id}/void", "/consignments/{id}/void"]


@pytest.fixture
def shipped(app: Flask, bench: FlaskClient) -> int:
    """SO-5001 shipped just now by the packer signed in at ``bench``."""
    _, key = open_order(bench)
    assert ship(bench, key)[0] == 200
    with app.app_context():
        return db.session.scalars(select(Consignment.id)).one()


def state(app: Flask, consignment_id: int) -> ConsignmentState:
    with app.app_context():
        row = db.session.get(Consignment, consignment_id)
        assert row is not None
        return row.state


def print_jobs(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(PrintJob)) or 0


@pytest.mark.parametrize("route", VOIDS)
def test_a_packer_voids_their_own_last_label_right_away(
    app: Flask, bench: FlaskClient, shipped: int, route: str
) -> None:
    response = bench.post(route.format(id=shipped), headers=HTMX)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert state(app, shipped) == ConsignmentState.VOIDED


@pytest.mark.parametrize("route", VOIDS)
def test_a_packer_may_not_void_another_packers_consignment(
    app: Flask, shipped: int, route: str
) -> None:
    other = signed_in(app, "hemi")

    response = other.post(route.format(id=shipped), headers=HTMX)

    assert response.status_code == 403
    assert "You cannot void SO-5001: packer booked it, not you; ask a manager." in (
        response.get_data(as_text=True)
    )
    assert state(app, shipped) == ConsignmentState.CREATED


def test_a_packer_may_not_reprint_another_packers_labels(app: Flask, shipped: int) -> None:
    before = print_jobs(app)
    other = signed_in(app, "hemi")

    response = other.post(f"/consignments/{shipped}/reprint", headers=HTMX)

    assert response.status_code == 403
    assert "You cannot reprint SO-5001: packer booked it" in response.get_data(as_text=True)
    assert print_jobs(app) == before


def test_a_packer_reprints_their_own_last_label(
    app: Flask, bench: FlaskClient, shipped: int
) -> None:
    before = print_jobs(app)

    response = bench.post(f"/consignments/{shipped}/reprint", headers=HTMX)

    assert response.status_code == 200, response.get_data(as_text=True)
    assert print_jobs(app) == before + 1


@pytest.mark.parametrize("route", VOIDS)
def test_a_packer_may_not_void_their_own_label_from_yesterday(
    app: Flask, bench: FlaskClient, shipped: int, route: str
) -> None:
    with app.app_context():
        row = db.session.get(Consignment, shipped)
        assert row is not None and row.booked_at is not None
        row.booked_at -= timedelta(days=1)
        db.session.commit()

    response = bench.post(route.format(id=shipped), headers=HTMX)

    assert response.status_code == 403
    assert "it was booked more than 10 minutes ago; ask a manager" in response.get_data(
        as_text=True
    )
    assert state(app, shipped) == ConsignmentState.CREATED


def test_a_packer_may_not_void_a_label_they_have_moved_on_from(
    app: Flask, bench: FlaskClient, shipped: int
) -> None:
    with app.app_context():
        add_order(db.session, 5002)
        db.session.commit()
    _, key = open_order(bench, "SO-5002")
    bench.post(
        "/bench/ship",
        data={"order_id": "2", "key": key, "weight": "1", "service": "ownlabel:ON"},
    )

    response = bench.post(f"/bench/consignments/{shipped}/void", headers=HTMX)

    assert response.status_code == 403
    assert "You cannot void SO-5001: you have booked SO-5002 since; ask a manager." in (
        response.get_data(as_text=True)
    )
    assert state(app, shipped) == ConsignmentState.CREATED


@pytest.mark.parametrize("route", VOIDS)
def test_a_manager_voids_any_consignment(app: Flask, shipped: int, route: str) -> None:
    manager = signed_in(app, "aroha", Role.MANAGER)

    response = manager.post(route.format(id=shipped), headers=HTMX)

    assert response.status_code == 200
    assert state(app, shipped) == ConsignmentState.VOIDED


def test_a_manager_reprints_any_consignment(app: Flask, shipped: int) -> None:
    before = print_jobs(app)
    manager = signed_in(app, "aroha", Role.MANAGER)

    assert manager.post(f"/consignments/{shipped}/reprint", headers=HTMX).status_code == 200
    assert print_jobs(app) == before + 1


def label_job(app: Flask) -> int:
    with app.app_context():
        return db.session.scalars(select(PrintJob.id).order_by(PrintJob.id)).first()  # type: ignore[return-value]


def test_the_print_queues_reprint_follows_the_same_rule_for_labels(
    app: Flask, bench: FlaskClient, shipped: int
) -> None:
    job = label_job(app)
    other = signed_in(app, "hemi")
    before = print_jobs(app)

    refused = other.post(f"/printers/jobs/{job}/reprint", headers=HTMX)

    assert refused.status_code == 403
    assert "You cannot reprint SO-5001: packer booked it, not you" in refused.get_data(as_text=True)
    assert print_jobs(app) == before
    assert bench.post(f"/printers/jobs/{job}/reprint", headers=HTMX).status_code == 200
    assert print_jobs(app) == before + 1


def test_a_voided_consignments_label_is_not_printed_again_from_the_queue(
    app: Flask, bench: FlaskClient, shipped: int
) -> None:
    job = label_job(app)
    bench.post(f"/bench/consignments/{shipped}/void", headers=HTMX)
    before = print_jobs(app)

    response = bench.post(f"/printers/jobs/{job}/reprint", headers=HTMX)

    assert response.status_code == 422
    assert "was voided by packer at" in response.get_data(as_text=True)
    assert print_jobs(app) == before
