"""Inbox rules through the web: what they do to imported orders, and the rules pages."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import InboxOrder, InboxRule
from tests.conftest import AuthActions
from tests.inbox.test_csv_import import ROWS, csv_bytes
from tests.web.test_inbox_views import upload


def add_rule(app: Flask, event: str, actions: list[dict[str, str]], **fields: object) -> int:
    with app.app_context():
        rule = InboxRule(name="test rule", event=event, actions=actions, **fields)
        db.session.add(rule)
        db.session.commit()
        return rule.id


def test_a_rule_that_submits_queues_the_order_for_cin7(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    add_rule(app, "imported", [{"action": "submit", "argument": ""}])
    auth.login()

    upload(client, csv_bytes(ROWS[2]))

    with app.app_context():
        order = db.session.scalar(select(InboxOrder))
        assert order is not None
        kinds = [event.kind for event in order.events]
        assert kinds[:2] == ["imported", "scheduled"] and "not_submitted_error" in kinds
        assert order.folder.name == "Errors" and "Cin7 is not connected" in (order.error or "")
