"""Branch names where people read branches: "Name (id)" from the cached list, never asking Cin7."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.models import SalesOrder
from tests.conftest import AuthActions
from tests.fakes.cin7 import sandbox_config
from tests.inbox.builders import take
from tests.inbox.conftest import sandbox_limits

__all__ = ["sandbox_limits"]

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)


@pytest.fixture
def app_config(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
    return {**app_config, **sandbox_config(sandbox)}


@pytest.fixture
def manager(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


@pytest.fixture
def orders(app: Flask) -> None:
    with app.app_context():
        for n, branch in enumerate((1, 2, 9)):
            db.session.add(
                SalesOrder(
                    cin7_id=7000 + n,
                    reference=f"SO-{7000 + n}",
                    stage="New",
                    branch_id=branch,
                    cin7_created=NOW,
                    cin7_modified=NOW,
                )
            )
        db.session.commit()


def branch_calls(sandbox: SandboxServer) -> int:
    return sum(1 for r in sandbox.state.requests if r.path.endswith("/v1/Branches"))


def branch_menu(page: str) -> list[tuple[str, str]]:
    menu = re.search(r'<select name="branch">.*?</select>', page, re.S)
    assert menu is not None
    return re.findall(r'<option value="(\d+)"[^>]*>([^<]*)</option>', menu.group(0))


@pytest.mark.usefixtures("orders")
def test_the_order_filter_shows_ids_until_cin7s_branches_are_listed(
    manager: FlaskClient, sandbox: SandboxServer
) -> None:
    before = branch_menu(manager.get("/orders").get_data(as_text=True))
    manager.get("/settings/cin7/branches", headers={"HX-Request": "true"})
    after = branch_menu(manager.get("/orders").get_data(as_text=True))

    assert before == [("1", "1"), ("2", "2"), ("9", "9")]
    assert after == [
        ("1", "Auckland Warehouse (1)"),
        ("2", "Christchurch Store (2)"),
        ("9", "9"),  # Cin7 has no branch 9: no name to show
    ]
    assert branch_calls(sandbox) == 1  # the listing; the pages asked Cin7 nothing


@pytest.mark.usefixtures("orders")
def test_the_chosen_branch_stays_chosen_by_its_id(manager: FlaskClient) -> None:
    manager.get("/settings/cin7/branches", headers={"HX-Request": "true"})

    page = manager.get("/orders", query_string={"branch": "2"}).get_data(as_text=True)

    assert '<option value="2" selected>Christchurch Store (2)</option>' in page
    assert "SO-7001" in page and "SO-7000" not in page


def test_the_inbox_settings_list_cin7_branches_beside_branch_id(
    manager: FlaskClient, sandbox: SandboxServer
) -> None:
    page = manager.get("/inbox/settings").get_data(as_text=True)
    button = re.search(r'<button[^>]*hx-get="([^"]+)"[^>]*hx-target="#inbox-cin7-branches"', page)
    assert button is not None and 'id="inbox-cin7-branches"' in page
    assert branch_calls(sandbox) == 0

    listing = manager.get(button.group(1), headers={"HX-Request": "true"})

    assert listing.status_code == 200
    assert "Christchurch Store" in listing.get_data(as_text=True)


def test_an_inbox_orders_branch_id_reads_as_its_name(
    app: Flask, manager: FlaskClient, sandbox: SandboxServer
) -> None:
    with app.app_context():
        order_id = take(db.session, checkout={"BranchId": "2"}).id
    unnamed = manager.get(f"/inbox/orders/{order_id}").get_data(as_text=True)
    manager.get("/settings/cin7/branches", headers={"HX-Request": "true"})
    named = manager.get(f"/inbox/orders/{order_id}").get_data(as_text=True)

    assert "<dt>BranchId</dt><dd>2</dd>" in unnamed
    assert "<dt>BranchId</dt><dd>Christchurch Store (2)</dd>" in named
    assert branch_calls(sandbox) == 1
