"""The print queue's background jobs: drain one printer, sweep for due and interrupted jobs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from printers.testing import ZebraListener
from station.db import utcnow
from station.extensions import db
from station.jobs import jobs
from station.models import JobState, Printer, PrintJob
from station.printing.jobs import sweep_print_queues
from station.printing.queue import queue_job


@pytest.fixture
def zebra() -> Iterator[ZebraListener]:
    with ZebraListener() as listener:
        yield listener


def test_the_print_task_sends_queued_labels(app: Flask, zebra: ZebraListener) -> None:
    with app.app_context():
        printer = Printer(
            name="z",
            spec={"format": "zpl", "transport": "tcp9100", "host": "127.0.0.1", "port": zebra.port},
        )
        db.session.add(printer)
        db.session.flush()
        queue_job(db.session, printer, b"^XA^XZ", kind="test", format="zpl")
        db.session.commit()

        jobs().print_queue(printer.id)

    assert zebra.wait_for_jobs(1) == [b"^XA^XZ"]


def test_the_sweep_fails_interrupted_jobs_and_finds_due_printers(app: Flask) -> None:
    with app.app_context():
        printer = Printer(name="m", spec={"format": "zpl", "transport": "memory"})
        db.session.add(printer)
        db.session.flush()
        stuck = queue_job(db.session, printer, b"1", kind="label", format="zpl")
        stuck.state, stuck.next_attempt_at = JobState.SENDING, utcnow() - timedelta(minutes=10)
        queue_job(db.session, printer, b"2", kind="label", format="zpl")
        db.session.commit()
        printer_id = printer.id

        due = sweep_print_queues()

        states = [j.state for j in db.session.scalars(select(PrintJob).order_by(PrintJob.id))]
    assert due == [printer_id]
    assert states == [JobState.FAILED, JobState.QUEUED]
