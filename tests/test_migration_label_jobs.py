"""Upgrading links every existing label job (and reprints of it) to its consignment."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from station.db import utcnow
from station.extensions import db
from station.models import Consignment, ConsignmentState, Printer

pytestmark = pytest.mark.both_databases

JOB = text(
    "INSERT INTO print_job (printer_id, kind, description, format, payload, state, attempts,"
    " dedupe_key, reprint_of_id, created_at, next_attempt_at)"
    " VALUES (:printer, 'label', '', 'zpl', :payload, 'done', 1, :key, :of, :at, :at)"
)


def test_label_jobs_and_their_reprints_learn_their_consignment(app: Flask) -> None:
    with app.app_context():
        downgrade(revision="2f604a3086f9-1")
        printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        consignment = Consignment(
            idempotency_key="k-1",
            state=ConsignmentState.VOIDED,
            carrier="ownlabel",
            service_code="ON",
            reference="SO-1",
            shipment={},
        )
        db.session.add_all([printer, consignment])
        db.session.flush()

        def job(key: str | None, of: int | None = None) -> int:
            db.session.execute(
                JOB,
                {"printer": printer.id, "payload": b"^XA", "key": key, "of": of, "at": utcnow()},
            )
            return db.session.execute(text("SELECT max(id) FROM print_job")).scalar_one()

        first = job(f"consignment-{consignment.id}-parcel-1")
        again = job(None, of=first)
        third = job(None, of=again)
        test_page = job("test-1")
        consignment_id = consignment.id
        db.session.commit()
        db.session.remove()

        upgrade()

        linked = dict(db.session.execute(text("SELECT id, consignment_id FROM print_job")).all())
        assert linked == {
            first: consignment_id,
            again: consignment_id,
            third: consignment_id,
            test_page: None,
        }
