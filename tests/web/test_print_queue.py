"""The print queue page: every printer's jobs, by state and printer, with retry and reprint."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.db import utcnow
from station.extensions import db
from station.models import Consignment, JobState, Printer, PrintJob, Role
from station.printing.queue import queue_job
from tests.conftest import AuthActions
from tests.web.bench import open_order, ship

HTMX = {"HX-Request": "true"}


@pytest.fixture
def jobs(app: Flask) -> dict[str, int]:
    """A printed, a failed and a waiting job on two printers (the waiting one is agent-less)."""
    with app.app_context():
        bench = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        office = Printer(name="Office", spec={"format": "zpl", "transport": "memory"})
        db.session.add_all([bench, office])
        made = {}
        for name, printer, state, error in (
            ("printed", bench, JobState.DONE, None),
            ("failed", bench, JobState.FAILED, "Paper jam: <check> the printer"),
            ("waiting", office, JobState.QUEUED, "Office is offline (retrying in 60 s)"),
        ):
            job = queue_job(
                db.session,
                printer,
                b"^XA^XZ",
                kind="label",
                format="zpl",
                description=f"SO-1 {name}",
            )
            job.state, job.last_error = state, error
            job.next_attempt_at = utcnow() + timedelta(minutes=1)
            db.session.flush()
            made[name] = job.id
        db.session.commit()
        return made


def test_the_queue_lists_every_printers_jobs_with_what_to_do(
    client: FlaskClient, auth: AuthActions, jobs: dict[str, int]
) -> None:
    auth.login("packer", role=Role.PACKER)

    page = client.get("/printers/queue").get_data(as_text=True)

    assert "3 jobs" in page and "SO-1 printed" in page and "Office" in page
    assert "Paper jam: &lt;check&gt; the printer" in page
    assert page.count(">Reprint</button>") == 2  # the printed and the failed job
    assert page.count(">Retry now</button>") == 1
    assert 'hx-trigger="every 3s, print-queue-changed from:body"' in page  # a job still waits


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("state=failed", ["SO-1 failed"]),
        ("state=done", ["SO-1 printed"]),
        ("printer=2", ["SO-1 waiting"]),
    ],
)
def test_the_queue_filters_by_state_and_printer(
    client: FlaskClient, auth: AuthActions, jobs: dict[str, int], query: str, shown: list[str]
) -> None:
    auth.login()

    page = client.get(f"/printers/queue?{query}", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )

    assert [
        name for name in ("SO-1 printed", "SO-1 failed", "SO-1 waiting") if name in page
    ] == shown
    assert "<html" not in page


def test_retry_now_sends_the_waiting_jobs_and_tells_the_page(
    app: Flask, client: FlaskClient, auth: AuthActions, jobs: dict[str, int]
) -> None:
    auth.login("packer", role=Role.PACKER)

    response = client.post("/printers/2/retry", headers={"HX-Request": "true"})

    assert response.status_code == 204
    assert response.headers["HX-Trigger"] == "print-queue-changed"
    with app.app_context():
        waiting = db.session.get(PrintJob, jobs["waiting"])
        assert waiting is not None and waiting.state == JobState.DONE


def test_reprinting_a_failed_job_queues_a_copy_and_tells_the_page(
    app: Flask, client: FlaskClient, auth: AuthActions, jobs: dict[str, int]
) -> None:
    auth.login()

    response = client.post(f"/printers/jobs/{jobs['failed']}/reprint")

    assert response.headers["HX-Trigger"] == "print-queue-changed"
    with app.app_context():
        copy = db.session.scalars(select(PrintJob).order_by(PrintJob.id.desc())).first()
        assert copy is not None and copy.reprint_of_id == jobs["failed"]
        assert copy.state == JobState.DONE


def test_a_voided_consignments_label_offers_no_reprint(app: Flask, bench: FlaskClient) -> None:
    _, key = open_order(bench)
    assert ship(bench, key)[0] == 200
    with app.app_context():
        shipped = db.session.scalars(select(Consignment.id)).one()
    assert bench.post(f"/bench/consignments/{shipped}/void", headers=HTMX).status_code == 200

    for listing in ("/printers/queue", "/printers"):
        page = bench.get(listing).get_data(as_text=True)

        assert "SO-5001" in page and "consignment voided: no reprint" in page
        assert ">Reprint</button>" not in page  # it would only be refused
