"""Hostile text from Cin7 is stored cleaned; an order that still cannot be stored is set aside.

One such order never stops the sync: it is listed with its reason under Needs attention
and on its sync run, the orders beside it are stored, and the cursor moves on. It is
read again when it changes in Cin7, or when someone presses Retry.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from station.cin7.sandbox import SandboxServer, SandboxState
from station.extensions import db
from station.models import SalesOrder, SetAsideOrder, SyncRun
from tests.cin7.builders import EVERYTHING, run_sync
from tests.conftest import AuthActions
from tests.fakes.cin7 import sandbox_config

pytestmark = pytest.mark.both_databases

PAGE = 10  # several pages, so the set-aside order has neighbours before and after


@pytest.fixture
def sandbox_orders() -> int:
    return 30


@pytest.fixture
def app_config(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
    return {**app_config, **sandbox_config(sandbox)}


@pytest.fixture
def manager(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


def stored_ids(app: Flask) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(SalesOrder.cin7_id)))


def not_void(sandbox_state: SandboxState) -> set[int]:
    """The orders a first sync stores (a void order is left out until Station knows it)."""
    return {cin7_id for cin7_id, order in sandbox_state.orders.items() if not order["isVoid"]}


def local(app: Flask, cin7_id: int) -> SalesOrder:
    with app.app_context():
        order = db.session.scalar(select(SalesOrder).where(SalesOrder.cin7_id == cin7_id))
        assert order is not None
        assert order.lines is not None  # loaded while the session is open
        db.session.expunge_all()
        return order


def test_control_characters_from_cin7_are_dropped_and_the_neighbours_sync(
    app: Flask, sandbox_state: SandboxState
) -> None:
    ids = sorted(sandbox_state.orders)
    hostile = ids[5]
    lines = copy.deepcopy(sandbox_state.orders[hostile]["lineItems"])
    lines[0].update(name="Soy\x00 Candle\x1b", code="CAN\x00DLE", option1="K\x00\x08owhai")
    sandbox_state.touch_order(
        hostile,
        reference=f"SO-\x00{hostile}",
        deliveryAddress1="12 Cuba\x00 Street\x07",
        company="K\x00owhai\x7f\tGifts",
        deliveryInstructions="Leave\x00 at the door\r\nby the gate\t2\x0c",
        lineItems=lines,
    )

    summary = run_sync(app, EVERYTHING, rows=PAGE)

    assert summary.orders_set_aside == 0
    assert stored_ids(app) == not_void(sandbox_state)
    order = local(app, hostile)
    assert order.reference == f"SO-{hostile}"
    assert order.delivery_address1 == "12 Cuba Street"
    assert order.company == "Kowhai Gifts"
    assert order.delivery_instructions == "Leave at the door\nby the gate\t2"
    assert (order.lines[0].name, order.lines[0].code, order.lines[0].option1) == (
        "Soy Candle",
        "CANDLE",
        "Kowhai",
    )


def test_an_order_too_long_to_store_is_set_aside_and_the_others_are_stored(
    app: Flask, sandbox_state: SandboxState, manager: FlaskClient
) -> None:
    ids = sorted(sandbox_state.orders)
    bad = ids[13]
    reference = sandbox_state.orders[bad]["reference"]
    sandbox_state.touch_order(bad, deliveryAddress1="9" * 300)

    summary = run_sync(app, EVERYTHING, rows=PAGE)

    assert summary.orders_set_aside == 1 and "1 set aside" in summary.describe()
    assert stored_ids(app) == not_void(sandbox_state) - {bad}
    with app.app_context():
        run = db.session.scalar(select(SyncRun))
        assert run is not None and run.succeeded and run.orders_set_aside == 1
    page = manager.get("/outbox").get_data(as_text=True)
    assert reference in page
    assert "deliveryAddress1 is 300 characters long; Station keeps at most 255" in page

    sandbox_state.touch_order(bad, deliveryAddress1="12 Cuba Street")  # fixed in Cin7
    again = run_sync(app, EVERYTHING, rows=PAGE)

    assert again.orders_set_aside == 0
    assert bad in stored_ids(app)
    assert reference not in manager.get("/outbox").get_data(as_text=True)


def refuse_reference(app: Flask, reference: str, *, refuse: bool = True) -> None:
    """A database constraint that refuses one reference (or no longer does)."""
    with app.app_context():
        postgres = db.engine.dialect.name == "postgresql"
        if refuse and postgres:
            sql = f"ALTER TABLE sales_order ADD CONSTRAINT ck_refused CHECK (reference <> '{reference}')"
        elif refuse:
            sql = (
                "CREATE TRIGGER refused BEFORE UPDATE ON sales_order "
                f"WHEN NEW.reference = '{reference}' "
                "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: refused'); END"
            )
        else:
            sql = (
                "ALTER TABLE sales_order DROP CONSTRAINT ck_refused"
                if postgres
                else "DROP TRIGGER refused"
            )
        db.session.execute(text(sql))
        db.session.commit()


def test_an_order_the_database_refuses_is_set_aside_until_retried(
    app: Flask, sandbox_state: SandboxState, manager: FlaskClient
) -> None:
    ids = sorted(sandbox_state.orders)
    run_sync(app, EVERYTHING, rows=PAGE)
    bad, neighbour = ids[12], ids[14]
    old_reference = sandbox_state.orders[bad]["reference"]
    refuse_reference(app, "SO-REFUSED")
    sandbox_state.touch_order(bad, reference="SO-REFUSED")
    sandbox_state.touch_order(neighbour, company="Tūī Traders")
    (new,) = sandbox_state.add_orders(1, seed=7)
    sandbox_state.touch_order(new, isVoid=False, status="APPROVED")  # modified after the cursor

    summary = run_sync(app, EVERYTHING, rows=PAGE)

    assert summary.orders_set_aside == 1 and summary.orders_created == 1
    assert local(app, bad).reference == old_reference  # the last copy that could be stored
    assert local(app, neighbour).company == "Tūī Traders"
    assert new in stored_ids(app)
    page = manager.get("/outbox").get_data(as_text=True)
    assert "SO-REFUSED" in page and "The database refused it" in page

    refuse_reference(app, "SO-REFUSED", refuse=False)  # fixed on Station's side
    with app.app_context():
        set_aside = db.session.scalar(select(SetAsideOrder.id))
    answer = manager.post(f"/outbox/set-aside/{set_aside}/retry", follow_redirects=True)

    assert "SO-REFUSED is stored now" in answer.get_data(as_text=True)
    assert local(app, bad).reference == "SO-REFUSED"
    assert "SO-REFUSED" not in manager.get("/outbox").get_data(as_text=True)


def test_an_amount_postgresql_cannot_hold_sets_the_order_aside_there(
    app: Flask, sandbox_state: SandboxState, database_url: str
) -> None:
    ids = sorted(sandbox_state.orders)
    bad = ids[2]
    sandbox_state.touch_order(bad, total=12_345_678_901_234.5)  # NUMERIC(14, 2) holds 12 digits

    summary = run_sync(app, EVERYTHING, rows=PAGE)

    if database_url.startswith("sqlite"):  # SQLite keeps any number: nothing to set aside
        assert summary.orders_set_aside == 0 and bad in stored_ids(app)
        return
    assert summary.orders_set_aside == 1
    assert stored_ids(app) == not_void(sandbox_state) - {bad}
    with app.app_context():
        row = db.session.scalar(select(SetAsideOrder))
        assert row is not None and row.cin7_id == bad
        assert row.reason.startswith("The database refused it: numeric field overflow")


def test_refreshing_an_order_station_cannot_store_says_why_and_sets_it_aside(
    app: Flask, sandbox_state: SandboxState, manager: FlaskClient
) -> None:
    run_sync(app, EVERYTHING, rows=PAGE)
    bad = sorted(sandbox_state.orders)[4]
    sandbox_state.touch_order(bad, deliveryCity="Wellington " * 20)
    order_id = local(app, bad).id

    response = manager.post(f"/orders/{order_id}/refresh", follow_redirects=True)

    assert response.status_code == 200
    assert "deliveryCity is 220 characters long" in response.get_data(as_text=True)
    assert "deliveryCity is 220 characters long" in manager.get("/outbox").get_data(as_text=True)
