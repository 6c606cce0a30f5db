"""Upgrading links every existing label job (and reprints of it) to its consignment and
names each first label job's parcel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

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


PARCEL_JOB = text(
    "INSERT INTO print_job (printer_id, kind, description, format, payload, state, attempts,"
    " dedupe_key, reprint_of_id, consignment_id, created_at, next_attempt_at, sending_since)"
    " VALUES (:printer, 'label', '', 'zpl', :payload, :state, 1, :key, :of, :consignment,"
    " :at, :at, :since)"
)


def test_first_label_jobs_learn_their_parcel_and_a_sending_job_keeps_its_claim_time(
    app: Flask,
) -> None:
    with app.app_context():
        downgrade(revision="b7d2e4f6a813-1")
        printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        consignment = Consignment(
            idempotency_key="k-1",
            state=ConsignmentState.CREATED,
            carrier="ownlabel",
            service_code="ON",
            reference="SO-1",
            shipment={},
        )
        db.session.add_all([printer, consignment])
        db.session.flush()
        at = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
        since = at + timedelta(minutes=1)

        def job(
            key: str | None, *, linked: bool, of: int | None = None, sending: bool = False
        ) -> int:
            db.session.execute(
                PARCEL_JOB,
                {
                    "printer": printer.id,
                    "payload": b"^XA",
                    "state": "sending" if sending else "done",
                    "key": key,
                    "of": of,
                    "consignment": consignment.id if linked else None,
                    "at": at,
                    "since": since if sending else None,
                },
            )
            return db.session.execute(text("SELECT max(id) FROM print_job")).scalar_one()

        first = job(f"consignment-{consignment.id}-parcel-1", linked=True)
        second = job(f"consignment-{consignment.id}-parcel-2", linked=False, sending=True)
        again = job(None, linked=True, of=first)
        gone = job("consignment-999-parcel-1", linked=False)
        consignment_id = consignment.id
        db.session.commit()
        db.session.remove()

        upgrade()

        rows = db.session.execute(
            text("SELECT id, consignment_id, parcel FROM print_job ORDER BY id")
        ).all()
        assert [tuple(r) for r in rows] == [
            (first, consignment_id, 1),
            (second, consignment_id, 2),
            (again, consignment_id, None),
            (gone, None, None),
        ]
        claimed = db.session.execute(
            text("SELECT next_attempt_at FROM print_job WHERE id = :id"), {"id": second}
        ).scalar_one()
        if isinstance(claimed, str):  # SQLite hands back text
            claimed = datetime.fromisoformat(claimed)
        assert claimed.replace(tzinfo=None) == since.replace(tzinfo=None)
