"""The setup screens audit every change they make, and nothing for a change refused."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import AuditEvent, Printer, PrintJob, Role
from station.printing.queue import queue_job
from tests.conftest import AuthActions
from tests.web.test_printers_agents import add_agent
from tests.web.test_shipping_settings import GOOD_CARD


@pytest.fixture
def manager(app: Flask, client: FlaskClient, auth: AuthActions) -> FlaskClient:
    """A manager signed in, with a printer that has one job waiting for its back-off."""
    with app.app_context():
        printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        db.session.add(printer)
        queue_job(db.session, printer, b"^XA^XZ", kind="label", format="zpl")
        db.session.commit()
    auth.login("mia", role=Role.MANAGER)
    return client


def recorded(app: Flask) -> list[tuple[str, str, str, dict[str, object]]]:
    """Every audit entry after the sign-in, as (who, action, target, detail)."""
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action.not_like("signin.%")).order_by(AuditEvent.id)
        )
        return [(e.actor_username, e.action, e.target_label, e.detail) for e in rows]


def upload(client: FlaskClient, text: str, filename: str) -> int:
    data = {"csv_file": (io.BytesIO(text.encode()), filename)}
    return client.post(
        "/settings/shipping/rate-card", data=data, content_type="multipart/form-data"
    ).status_code


def test_rate_card_uploads_and_reverts_are_recorded_and_a_refused_one_is_not(
    app: Flask, manager: FlaskClient
) -> None:
    assert upload(manager, "not,a,rate,card\n", "bad.csv") == 422
    assert upload(manager, GOOD_CARD, "spring.csv") == 302
    assert manager.post("/settings/shipping/rate-card/revert").status_code == 302

    assert recorded(app) == [
        ("mia", "settings.rate_card.uploaded", "Shipping", {"filename": "spring.csv"}),
        ("mia", "settings.rate_card.reverted", "Shipping", {}),
    ]


def test_cut_off_changes_are_recorded_and_a_refused_one_is_not(
    app: Flask, manager: FlaskClient
) -> None:
    assert manager.post("/manifests/ownlabel/cutoff", data={"cutoff": "25:00"}).status_code == 422
    manager.post("/manifests/ownlabel/cutoff", data={"cutoff": "16:30"})
    manager.post("/manifests/ownlabel/cutoff", data={"cutoff": ""})

    assert recorded(app) == [
        ("mia", "settings.cutoff.saved", "Own label", {"carrier": "ownlabel", "cutoff": "16:30"}),
        ("mia", "settings.cutoff.saved", "Own label", {"carrier": "ownlabel", "cutoff": None}),
    ]


def test_agents_registered_and_revoked_are_recorded_without_the_token(
    app: Flask, manager: FlaskClient
) -> None:
    _, token = add_agent(manager, "Bench 3 PC")
    add_agent(manager, "Bench 3 PC")  # refused: the name is taken
    with app.app_context():
        printer = db.session.scalars(select(Printer)).one()
        agent_id = recorded_agent_id(app)
        printer.agent_id = agent_id
        db.session.commit()

    manager.post(f"/printers/agents/{agent_id}/revoke")

    events = recorded(app)
    assert events == [
        ("mia", "print_agent.registered", "Bench 3 PC", {}),
        ("mia", "print_agent.revoked", "Bench 3 PC", {"printers": ["Bench 1"]}),
    ]
    assert token and token not in repr(events)


def recorded_agent_id(app: Flask) -> int:
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "print_agent.registered")
        ).one()
        assert event.target_type == "print_agent" and event.target_id is not None
        return event.target_id


def test_retry_now_is_recorded_with_how_many_jobs_it_made_due(
    app: Flask, manager: FlaskClient
) -> None:
    with app.app_context():
        job = db.session.scalars(select(PrintJob)).one()
        job.next_attempt_at = job.next_attempt_at.replace(year=job.next_attempt_at.year + 1)
        db.session.commit()

    response = manager.post("/printers/1/retry")

    assert response.status_code == 302
    assert recorded(app) == [("mia", "printer.retried_now", "Bench 1", {"jobs": 1})]
