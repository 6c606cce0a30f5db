"""Every view that calls Cin7 on a person's behalf spends that person's allowance."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.cin7.allowance import Cin7Action
from station.cin7.wiring import cin7_wiring
from station.extensions import db
from station.models import User
from station.web.cin7_actions import ACTION_ATTRIBUTE
from tests.conftest import AuthActions

SPENDING = {
    "orders.why_missing": Cin7Action.LOOKUP,
    "orders.refresh": Cin7Action.LOOKUP,
    "orders.sync_now": Cin7Action.SYNC,
    "inbox.check_shipments_now": Cin7Action.SYNC,
    "inbox.sync_inventory_now": Cin7Action.SYNC,
    "settings.test_cin7": Cin7Action.CONNECTION,
    "settings.cin7_branches": Cin7Action.CONNECTION,
    "inbox.submit": Cin7Action.SEND,
    "inbox.import_orders": Cin7Action.SEND,
    "inbox_rules.rerun_rules": Cin7Action.SEND,
    "outbox.retry": Cin7Action.SEND,
    "outbox.retry_all": Cin7Action.SEND,
    "outbox.retry_set_aside": Cin7Action.LOOKUP,
}
# Views that reach Cin7 without spending a person's allowance, and why.
NOT_METERED = {
    # Packing an order queues its write-backs; the outbox sends them in batches of 250,
    # so a packer's Enter costs no call of its own, and they must never be refused.
    "bench.ship": "dispatch write-backs",
    "bulk.create": "dispatch write-backs",
}
# What a view body calls when it makes Station call Cin7, now or in a job it queues.
REACHES_CIN7 = re.compile(
    r"\.client\(|BranchCheck|\brerun\(|jobs\(\)\.(sync_orders|submit_inbox|check_inbox_shipments"
    r"|sync_inventory|deliver_outbox|resubmit_inbox|bulk_dispatch|deliver_soon"
    r"|submit_scheduled_soon)\b"
    # Inbox services that queue a Cin7 job after their commit.
    r"|\b(submit_now|request_shipment_check|request_inventory_sync|start_import|run_rules_again)\("
)


def test_the_views_that_spend_an_allowance_are_these(app: Flask) -> None:
    marked = {
        endpoint: getattr(view, ACTION_ATTRIBUTE)
        for endpoint, view in app.view_functions.items()
        if hasattr(view, ACTION_ATTRIBUTE)
    }

    assert marked == SPENDING


def test_every_view_that_reaches_cin7_spends_an_allowance(app: Flask) -> None:
    reaching = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if REACHES_CIN7.search(inspect.getsource(inspect.unwrap(view)))
    }

    assert reaching - set(NOT_METERED) <= set(SPENDING), "mark it with @spends_cin7"
    assert set(NOT_METERED) <= reaching  # the exemptions still name real views


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, **{action.config_key: "1/10" for action in Cin7Action}}


def _request(app: Flask, endpoint: str) -> tuple[str, str]:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **dict.fromkeys(rule.arguments, 1))
    return ("POST" if "POST" in (rule.methods or ()) else "GET"), url


@pytest.mark.parametrize("endpoint", sorted(SPENDING))
def test_a_spent_allowance_refuses_the_view_with_429(
    app: Flask, client: FlaskClient, auth: AuthActions, endpoint: str
) -> None:
    auth.login()
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.username == "manager"))
        assert manager is not None
        cin7_wiring().allowances.spend(manager.id, SPENDING[endpoint])  # type: ignore[union-attr]
    method, url = _request(app, endpoint)

    answer = client.open(url, method=method, headers={"HX-Request": "true"})

    assert answer.status_code == 429
    assert "You have " in answer.get_data(as_text=True)
    assert "try again in 10 minutes." in answer.get_data(as_text=True)


def test_showing_the_import_form_spends_nothing(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    pages = [client.get("/inbox/import").status_code for _ in range(3)]

    assert pages == [200, 200, 200]
