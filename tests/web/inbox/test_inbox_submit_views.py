"""Submitting and moving inbox orders from the pages, through the job queue, to the sandbox."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.inbox.folders import create_folder
from station.models import AuditEvent, InboxOrder
from tests.conftest import AuthActions
from tests.inbox.samples import ROWS, csv_bytes
from tests.web.forms import upload


@pytest.fixture
def manager(app: Flask, client: FlaskClient, auth: AuthActions) -> FlaskClient:
    """A signed-in manager with orders #A1 and #A2 in New."""
    auth.login()
    assert upload(client, csv_bytes(*ROWS)).status_code == 200
    return client


def orders(app: Flask) -> dict[str, InboxOrder]:
    with app.app_context():
        rows = db.session.scalars(select(InboxOrder)).all()
        for row in rows:
            _ = (row.folder.name, [e.kind for e in row.events])  # loaded while the session is open
        return {row.reference: row for row in rows}


def test_submit_now_on_an_order_sends_it_to_cin7(
    app: Flask, manager: FlaskClient, sandbox: SandboxServer
) -> None:
    order = orders(app)["#A1"]

    response = manager.post(
        "/inbox/submit",
        data={"order_id": order.id},
        headers={"Referer": f"/inbox/orders/{order.id}"},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert response.request.path == f"/inbox/orders/{order.id}"
    assert "1 order(s) scheduled to Cin7" in page
    assert "Order scheduled to Cin7" in page and "After order submitted" in page
    sent = orders(app)["#A1"]
    assert sent.folder.name == "Submitted" and sent.cin7_id in sandbox.state.orders
    assert [e.kind for e in sent.events] == [
        "imported",
        "scheduled",
        "before_submit",
        "after_submit",
        "moved",
    ]
    with app.app_context():
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "inbox.orders_submitted")
        )
        assert event is not None and event.detail == {"orders": [order.id]}


def test_ticked_orders_go_to_cin7_in_one_batch(
    app: Flask, manager: FlaskClient, sandbox: SandboxServer
) -> None:
    ids = [o.id for o in orders(app).values()]

    manager.post("/inbox/submit", data={"order_id": ids})

    assert {o.folder.name for o in orders(app).values()} == {"Submitted"}
    posts = [r for r in sandbox.state.requests if r.method == "POST"]
    assert len(posts) == 1 and len(posts[0].body) == 2


def test_an_order_already_in_cin7_is_not_scheduled_again(
    app: Flask, manager: FlaskClient, sandbox: SandboxServer
) -> None:
    order = orders(app)["#A1"]
    manager.post("/inbox/submit", data={"order_id": order.id})

    page = manager.post("/inbox/submit", data={"order_id": order.id}, follow_redirects=True)

    assert "No order to submit" in page.get_data(as_text=True)
    assert len(sandbox.state.orders) == 1


def test_moving_ticked_orders_changes_the_counts(app: Flask, manager: FlaskClient) -> None:
    with app.app_context():
        vip = create_folder(db.session, "VIP")
        db.session.commit()
        vip_id = vip.id

    response = manager.post(
        "/inbox/move",
        data={"order_id": [o.id for o in orders(app).values()], "folder_id": vip_id},
        follow_redirects=True,
    )

    page = response.get_data(as_text=True)
    assert "2 order(s) moved to VIP" in page
    assert {o.folder.name for o in orders(app).values()} == {"VIP"}
    assert "Moved from New to VIP." in manager.get(
        f"/inbox/orders/{orders(app)['#A1'].id}"
    ).get_data(as_text=True)


def test_moving_to_a_folder_that_does_not_exist_is_a_400(manager: FlaskClient) -> None:
    response = manager.post("/inbox/move", data={"order_id": 1, "folder_id": 999})

    assert response.status_code == 400 and "Choose the folder" in response.get_data(as_text=True)


def test_check_shipments_now_moves_a_dispatched_order_and_says_when_it_looked(
    app: Flask, manager: FlaskClient, sandbox: SandboxServer
) -> None:
    order = orders(app)["#A1"]
    manager.post("/inbox/submit", data={"order_id": order.id})
    sandbox.state.touch_order(
        orders(app)["#A1"].cin7_id,
        dispatchedDate="2026-05-01T03:04:05Z",
        trackingCode="NZP1",
        stage="Dispatched",
    )

    page = manager.post("/inbox/shipments/check", follow_redirects=True).get_data(as_text=True)

    assert "Checking shipments with Cin7 now" in page
    assert "1 shipped, 0 canceled" in page
    shipped = orders(app)["#A1"]
    assert shipped.folder.name == "Shipped" and shipped.tracking_code == "NZP1"


def test_check_shipment_on_an_order_page_comes_back_to_it_in_its_new_folder(
    app: Flask, manager: FlaskClient, sandbox: SandboxServer
) -> None:
    order = orders(app)["#A1"]
    manager.post("/inbox/submit", data={"order_id": order.id})
    sandbox.state.touch_order(orders(app)["#A1"].cin7_id, stage="Dispatched")

    response = manager.post("/inbox/shipments/check", data={"order_id": order.id})
    page = manager.get(response.headers["Location"]).get_data(as_text=True)

    assert response.headers["Location"] == f"/inbox/orders/{order.id}"
    assert "Checking shipments with Cin7 now" in page
    assert '#A1 <span class="stage">Shipped</span>' in page


def test_an_order_imported_with_a_dispatched_date_stays_submitted_after_a_shipment_check(
    app: Flask, manager: FlaskClient, sandbox: SandboxServer
) -> None:
    header = "order_id,order_number,email,first_name,last_name,address1,city,postcode,country,sku,name,quantity,unit_price,DispatchedDate"
    row = "D1,#D1,kiri@example.nz,Kiri,Hona,1 Rata Road,Nelson,7010,NZ,MUG-SAND,Mug,1,24.00,2026-05-01"
    assert upload(manager, csv_bytes(row, header=header)).status_code == 200
    order = orders(app)["#D1"]
    manager.post("/inbox/submit", data={"order_id": order.id})

    response = manager.post("/inbox/shipments/check", data={"order_id": order.id})
    page = manager.get(response.headers["Location"]).get_data(as_text=True)

    assert '#D1 <span class="stage">Submitted</span>' in page
    assert "Cin7 dispatched it" not in page
    sent = orders(app)["#D1"]
    assert sent.shipped_at is None
    assert sandbox.state.orders[sent.cin7_id]["dispatchedDate"].startswith("2026-05-01")
