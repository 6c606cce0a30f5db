"""NUL and other control characters typed, posted or imported never reach the database.

People's form input is cleaned at the request edge, shop orders where the inbox reads
them, and any NUL left is dropped from every bound parameter: on PostgreSQL a NUL in a
text parameter would otherwise fail the statement (and answer 500).
"""

from __future__ import annotations

import io

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select, text

from station.extensions import db
from station.inbox.tokens import create_token
from station.models import InboxOrder, Role, User
from tests.conftest import AuthActions
from tests.inbox.samples import HEADER, ORDER, ROWS, csv_bytes, order_json


@pytest.mark.parametrize(
    ("username", "password", "status"),
    [
        ("man\x00ager", "wrong", 401),
        ("nobody\x00", "correct\x00horse", 401),
        ("\x00", "\x00", 200),  # nothing left: the form asks for both again
    ],
)
def test_a_sign_in_with_nul_is_refused_not_a_500(
    client: FlaskClient, auth: AuthActions, username: str, password: str, status: int
) -> None:
    auth.create()

    response = client.post("/login", data={"username": username, "password": password})

    assert response.status_code == status
    assert "Sign in" in response.get_data(as_text=True)


def test_control_characters_in_form_input_are_dropped_before_anything_reads_it(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.create(username="kiri", password="correct horse")

    response = client.post(
        "/login", data={"username": "ki\x00r\x1bi\x7f", "password": "correct horse"}
    )

    assert response.status_code == 302  # signed in as kiri: the controls were never part of it


def api_token(app: Flask) -> str:
    with app.app_context():
        token = create_token(db.session, name="Web shop", shop="web").token
        db.session.commit()
        return token


def test_an_api_order_with_nul_is_stored_cleaned(app: Flask, client: FlaskClient) -> None:
    token = api_token(app)
    address = {
        **ORDER["shipping_address"],
        "address1": "12 Tui\x00 Street\x07",
        "city": "Well\tington",
    }
    lines = [{**ORDER["lines"][0], "name": "Stoneware\x00 Mug\x1b"}]
    body = order_json(
        id="10\x0001",
        order_number="#10\x0001",
        shipping_address=address,
        lines=lines,
        delivery_instructions="Leave\x00 at the door\r\nby the gate\x0b",
    )

    response = client.post(
        "/api/v1/orders", json=body, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 201, response.get_data(as_text=True)
    with app.app_context():
        order = db.session.get(InboxOrder, response.get_json()["id"])
        assert order is not None
        assert (order.shop_order_id, order.reference) == ("1001", "#1001")
        assert order.shipping_address["address1"] == "12 Tui Street"
        assert order.shipping_address["city"] == "Well ington"
        assert order.lines[0]["name"] == "Stoneware Mug"
        assert order.delivery_instructions == "Leave at the door\nby the gate"


def test_a_csv_import_with_nul_is_stored_cleaned(app: Flask, auth: AuthActions) -> None:
    browser = app.test_client()
    AuthActions(app, browser).login()
    data = csv_bytes(ROWS[0].replace("1 Rata Road", "1 Rata\x00 Road\x01"), ROWS[1], header=HEADER)

    response = browser.post(
        "/inbox/import",
        data={"shop": "csv", "csv_file": (io.BytesIO(data), "orders.csv")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )

    assert "1 order(s) imported" in response.get_data(as_text=True)
    with app.app_context():
        order = db.session.scalar(select(InboxOrder).where(InboxOrder.reference == "#A1"))
        assert order is not None and order.shipping_address["address1"] == "1 Rata Road"


def test_a_nul_in_a_bound_parameter_never_reaches_the_database(app: Flask) -> None:
    with app.app_context():
        db.session.add_all(
            [User(username=f"aro\x00ha{n}", password_hash="x", role=Role.PACKER) for n in range(3)]
        )  # one INSERT for many rows where the engine can (insertmanyvalues)
        db.session.flush()
        db.session.execute(
            insert(User),
            [
                {"username": "te\x00ina", "password_hash": "x", "role": Role.PACKER},
                {"username": "mere", "password_hash": "x\x00", "role": Role.PACKER},
            ],
        )  # executemany
        db.session.commit()
        names = set(db.session.scalars(select(User.username)))
        found = db.session.scalar(select(User.username).where(User.username == "te\x00ina"))
        echoed = db.session.scalar(text("SELECT :value"), {"value": "a\x00b"})

    assert names == {"aroha0", "aroha1", "aroha2", "teina", "mere"}
    assert (found, echoed) == ("teina", "ab")


def test_a_note_read_straight_from_the_form_is_stored_cleaned(
    app: Flask, auth: AuthActions
) -> None:
    browser = app.test_client()
    created = browser.post(
        "/api/v1/orders", json=order_json(), headers={"Authorization": f"Bearer {api_token(app)}"}
    ).get_json()
    AuthActions(app, browser).login()

    response = browser.post(
        f"/inbox/orders/{created['id']}/notes", data={"text": "Call\x00 first\x07\r\nplease"}
    )

    assert response.status_code < 400
    with app.app_context():
        order = db.session.get(InboxOrder, created["id"])
        assert order is not None and order.notes[-1]["text"] == "Call first please"
