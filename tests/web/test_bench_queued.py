"""With real job workers, the bench sends the label in the Enter request itself.

Labels must not wait behind Cin7 write-backs (paced by Cin7's limits) in the workers'
threads; the write-back is queued a moment later so nearby dispatches share a PUT.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from printers.testing import ZebraListener
from station.extensions import db
from station.jobs import jobs
from station.models import JobState, OutboxItem, OutboxState, Printer, PrintJob, Role
from tests.builders import add_order
from tests.conftest import AuthActions
from tests.web.bench import open_order, ship


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "JOBS_IMMEDIATE": False}


@pytest.fixture
def zebra() -> Any:
    listener = ZebraListener().start()
    yield listener
    listener.stop()


def add_zebra(zebra: ZebraListener) -> Printer:
    """The bench's Zebra, listening on ``zebra``'s port."""
    printer = Printer(
        name="Zebra",
        spec={
            "format": "zpl",
            "transport": "tcp9100",
            "host": "127.0.0.1",
            "port": zebra.port,
            "check_status": False,
        },
    )
    db.session.add(printer)
    return printer


def test_the_label_reaches_the_printer_before_enter_answers(
    app: Flask, client: FlaskClient, auth: AuthActions, zebra: ZebraListener
) -> None:
    with app.app_context():
        add_zebra(zebra)
        add_order(db.session)
        db.session.commit()
    auth.login("packer", role=Role.PACKER)
    _, key = open_order(client)

    status, page = ship(client, key)

    assert status == 200, page
    assert len(zebra.jobs) == 1 and b"SO-5001" in zebra.jobs[0]  # no worker ran
    with app.app_context():
        assert db.session.scalar(select(PrintJob.state)) == JobState.DONE
        assert db.session.scalar(select(OutboxItem.state)) == OutboxState.PENDING
        queued = jobs().huey.pending()
        jobs().huey.flush()
    assert [task.name for task in queued] == ["deliver_outbox"]  # no print job left over
    assert queued[0].eta is not None  # due OUTBOX_DELAY seconds after the Enter
    assert 'class="job-state" role="status">done' in page


def test_the_label_waits_behind_an_earlier_job_of_its_printer(
    app: Flask, client: FlaskClient, auth: AuthActions, zebra: ZebraListener
) -> None:
    with app.app_context():
        printer = add_zebra(zebra)
        db.session.add(  # the printer was unreachable a moment ago: this job goes first
            PrintJob(
                printer=printer,
                kind="label",
                format="zpl",
                payload=b"^XA^FDEARLIER^FS^XZ",
                state=JobState.QUEUED,
                next_attempt_at=datetime.now(UTC) + timedelta(minutes=1),
            )
        )
        add_order(db.session)
        db.session.commit()
    auth.login("packer", role=Role.PACKER)
    _, key = open_order(client)

    status, page = ship(client, key)

    assert status == 200, page
    assert zebra.jobs == []  # not sent ahead of the job waiting before it
    with app.app_context():
        states = db.session.scalars(select(PrintJob.state).order_by(PrintJob.id)).all()
        queued = jobs().huey.pending()
        jobs().huey.flush()
    assert states == [JobState.QUEUED, JobState.QUEUED]
    assert "print_queue" in [task.name for task in queued]  # the queue's pass sends both
