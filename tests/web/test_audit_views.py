"""The audit log page and the order page's audit trail; what the handlers record."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station import audit
from station.db import utcnow
from station.extensions import db
from station.models import AuditEvent, Consignment, OutboxItem, OutboxState, Printer, Role
from tests.builders import add_order
from tests.conftest import AuthActions
from tests.web.bench import open_order, ship

API_KEY = "cin7-key-that-must-never-leak"


@pytest.fixture
def manager(app: Flask, client: FlaskClient, auth: AuthActions) -> FlaskClient:
    """A manager signed in, with a bench printer and order SO-5001."""
    with app.app_context():
        db.session.add(Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"}))
        add_order(db.session)
        db.session.commit()
    auth.login("mia", role=Role.MANAGER)
    return client


def events(app: Flask) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
        db.session.expunge_all()
        return rows


def save_cin7(client: FlaskClient, **changes: str) -> int:
    data = {
        "base_url": "https://api.cin7.example/api",
        "username": "acme",
        "api_key": API_KEY,
        "window_days": "30",
        **changes,
    }
    return client.post("/settings/cin7", data=data).status_code


def test_a_cin7_settings_save_is_recorded_without_the_key(app: Flask, manager: FlaskClient) -> None:
    assert save_cin7(manager) == 302
    assert save_cin7(manager, api_key="", window_days="7") == 302

    saves = [e for e in events(app) if e.action == "settings.cin7.saved"]
    assert [(e.actor_username, e.target_label, e.detail) for e in saves] == [
        ("mia", "Cin7", {"key_replaced": True}),
        ("mia", "Cin7", {"key_replaced": False}),
    ]
    page = manager.get("/audit").get_data(as_text=True)
    assert "settings.cin7.saved" in page and "key replaced: True" in page
    assert all(API_KEY not in json.dumps(e.detail) + e.target_label for e in events(app))
    assert API_KEY not in page


def test_a_dispatch_options_save_is_recorded_with_its_choices(
    app: Flask, manager: FlaskClient
) -> None:
    manager.post(
        "/settings/shipping/options",
        data={"send_back_ticket": "y", "freight_push": "cost", "tracking_field": "url"},
    )

    (event,) = [e for e in events(app) if e.action == "settings.dispatch_options.saved"]
    assert event.detail == {
        "send_back_ticket": True,
        "block_batch_serial": False,
        "freight_push": "cost",
        "tracking_field": "url",
    }


def test_ship_and_void_are_on_the_audit_page_and_the_orders_trail(
    app: Flask, manager: FlaskClient
) -> None:
    _, key = open_order(manager)
    ship(manager, key)
    ship(manager, key)  # a second Enter replays the first: nothing new to record
    with app.app_context():
        consignment_id = db.session.scalar(select(Consignment.id))

    manager.post(f"/bench/consignments/{consignment_id}/void")

    recorded = [(e.action, e.target_type, e.target_id) for e in events(app)]
    assert [r for r in recorded if r[1] == "consignment"] == [
        ("consignment.created", "consignment", consignment_id),
        ("consignment.voided", "consignment", consignment_id),
    ]
    page = manager.get("/audit?action=consignment.").get_data(as_text=True)
    assert page.count('title="consignment.') == 2 and "SO-5001 ON" in page
    order_page = manager.get("/orders/1").get_data(as_text=True)
    trail = order_page[order_page.index('id="audit-trail"') :]
    assert "consignment.created" in trail and "consignment.voided" in trail
    assert "order: SO-5001" in trail
    assert "service: Own label · Overnight" in trail and "service: ON" not in trail


def test_a_refused_void_leaves_no_event(app: Flask, manager: FlaskClient) -> None:
    _, key = open_order(manager)
    ship(manager, key)
    with app.app_context():
        consignment_id = db.session.scalar(select(Consignment.id))
    manager.post(f"/bench/consignments/{consignment_id}/void")

    again = manager.post(f"/bench/consignments/{consignment_id}/void")

    assert again.status_code == 422 and "nothing to void" in again.get_data(as_text=True)
    assert [e.action for e in events(app)].count("consignment.voided") == 1


def test_the_filters_narrow_the_log_and_pages_go_back_in_time(
    app: Flask, manager: FlaskClient
) -> None:
    with app.app_context():
        now = utcnow()
        for n in range(55):
            target = audit.Target("printer", n, f"Printer {n}")
            audit.record(
                db.session,
                None,
                "printer.test_printed",
                target=target,
                at=now - timedelta(minutes=n),
            )
        db.session.commit()

    first = manager.get("/audit?action=printer.").get_data(as_text=True)
    second = manager.get("/audit?action=printer.&page=2").get_data(as_text=True)
    one = manager.get("/audit?target=printer 54").get_data(as_text=True)

    assert (
        "55 events" in first and "Printer 0: test printed<" in first and "Printer 54:" not in first
    )
    assert 'href="/audit?page=2&amp;action=printer."' in first
    assert "Printer 54: test printed<" in second and "Page 2 of 2" in second
    assert "1 event<" in one


def test_a_bad_date_is_explained_and_does_not_narrow_the_log(manager: FlaskClient) -> None:
    save_cin7(manager)

    response = manager.get("/audit?since=yesterday")

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Not a valid date value" in page and "settings.cin7.saved" in page


def test_packers_cannot_read_the_audit_log(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("pita", role=Role.PACKER)

    assert client.get("/audit").status_code == 403
    assert 'href="/audit"' not in client.get("/orders").get_data(as_text=True)


def test_printing_bulk_runs_retries_and_close_outs_are_recorded(
    app: Flask, manager: FlaskClient
) -> None:
    _, key = open_order(manager)
    ship(manager, key)
    with app.app_context():
        second = add_order(db.session, cin7_id=5002).id
        item = db.session.scalars(select(OutboxItem)).one()
        item.state = OutboxState.FAILED
        db.session.commit()
        item_id = item.id

    manager.post("/printers/1/test")
    manager.post("/printers/jobs/1/reprint")
    manager.post(f"/outbox/{item_id}/retry")
    bulk = {"order_id": str(second), "printer_id": "1", "service": "ownlabel:ON", "weight": "1"}
    manager.post("/bulk", data=bulk)
    manager.post("/manifests/ownlabel/close")

    recorded = [(e.actor_username, e.action, e.target_label) for e in events(app)]
    assert ("mia", "printer.test_printed", "Bench 1") in recorded
    assert ("mia", "print_job.reprinted") in [r[:2] for r in recorded]
    assert ("mia", "outbox.retried", "SO-5001") in recorded
    assert ("mia", "bulk.started", "bulk dispatch of 1 orders") in recorded
    # The run ships as the manager who started it, so the audit and reports name a person.
    assert ("mia", "consignment.created") in [r[:2] for r in recorded if "SO-5002" in r[2]]
    assert ("mia", "manifest.closed") in [r[:2] for r in recorded]
    started = manager.get("/audit?action=bulk.started").get_data(as_text=True)
    assert "service: Own label · Overnight" in started and "ownlabel:ON" not in started
