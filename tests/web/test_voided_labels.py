"""A voided consignment's label cannot be printed again from any page, nor by an agent."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import Consignment, JobState, Printer, PrintJob, Role
from station.printing.agents import register_agent
from tests.web.bench import count, open_order, ship
from tests.web.conftest import signed_in

HTMX = {"HX-Request": "true"}
# the tests' site zone is Pacific/Auckland: the time is said there, with its abbreviation
VOIDED = re.compile(
    r"Consignment \S+ \(SO-5001\) was voided by packer at \d{4}-\d\d-\d\d \d\d:\d\d NZ[SD]T: "
    r"its label can never be printed again\."
)


def ship_and_void(app: Flask, bench: FlaskClient) -> tuple[int, int]:
    """SO-5001 shipped and voided at the bench; its consignment and label job ids."""
    _, key = open_order(bench)
    assert ship(bench, key)[0] == 200
    with app.app_context():
        consignment = db.session.scalars(select(Consignment.id)).one()
        job = db.session.scalars(select(PrintJob.id)).one()
    assert bench.post(f"/bench/consignments/{consignment}/void", headers=HTMX).status_code == 200
    return consignment, job


def test_the_bench_and_the_queue_refuse_to_reprint_a_voided_label_and_say_why(
    app: Flask, bench: FlaskClient
) -> None:
    _, job = ship_and_void(app, bench)

    response = bench.post(f"/printers/jobs/{job}/reprint", headers=HTMX)

    assert response.status_code == 422
    assert VOIDED.search(response.get_data(as_text=True))
    assert response.headers["HX-Retarget"] == "this"  # shown beside the Reprint pressed
    assert count(app, PrintJob) == 1


@pytest.mark.parametrize("who", ["packer", "manager"])
def test_the_consignment_list_refuses_to_reprint_a_voided_label(
    app: Flask, bench: FlaskClient, who: str
) -> None:
    consignment, _ = ship_and_void(app, bench)
    browser = bench if who == "packer" else signed_in(app, "aroha", Role.MANAGER)

    response = browser.post(f"/consignments/{consignment}/reprint", headers=HTMX)

    assert VOIDED.search(response.get_data(as_text=True))
    assert count(app, PrintJob) == 1


def test_an_agent_is_never_given_a_voided_label(app: Flask, bench: FlaskClient) -> None:
    with app.app_context():
        token = register_agent(db.session, "Bench 1 PC")
        db.session.flush()
        db.session.scalars(select(Printer)).one().agent_id = token.agent.id
        db.session.commit()
        auth = {"Authorization": f"Bearer {token.token}"}
    _, key = open_order(bench)
    assert ship(bench, key)[0] == 200
    [offered] = bench.get("/api/v1/agent/jobs", headers=auth).get_json()["jobs"]
    with app.app_context():
        consignment = db.session.scalars(select(Consignment.id)).one()

    bench.post(f"/bench/consignments/{consignment}/void", headers=HTMX)
    again = bench.get("/api/v1/agent/jobs", headers=auth).get_json()

    assert again == {"jobs": []}  # not even to an agent that lost its first answer
    with app.app_context():
        job = db.session.get(PrintJob, offered["id"])
        assert job is not None and job.state == JobState.FAILED
        assert VOIDED.search(job.last_error or "")
