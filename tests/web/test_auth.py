"""Signing in and out; every page needs a signed-in user."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station import create_app
from station.extensions import db
from station.models import Role, User
from tests.carriers.samples import FakeClock
from tests.conftest import AuthActions


def test_sign_in_with_the_right_password_reaches_the_orders(
    client: FlaskClient, auth: AuthActions
) -> None:
    response = auth.login()

    assert response.status_code == 302
    assert response.headers["Location"] == "/orders"
    assert client.get("/orders").status_code == 200


def test_wrong_password_is_refused_with_a_clear_message(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.create()

    response = client.post("/login", data={"username": "manager", "password": "not it at all"})

    assert response.status_code == 401
    assert b"Wrong username or password." in response.data
    assert client.get("/orders").status_code == 302


@pytest.mark.parametrize("path", ["/orders", "/orders/1", "/orders/why-missing?q=SO-1"])
def test_pages_need_a_signed_in_user(client: FlaskClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "javascript:alert(1)",
        "/\\evil.example/x",
        "/\\/evil.example",
        "/\t/evil.example",
        "orders",
    ],
)
def test_next_never_leaves_the_site(client: FlaskClient, auth: AuthActions, target: str) -> None:
    auth.create()

    response = client.post(
        "/login",
        query_string={"next": target},
        data={"username": "manager", "password": "correct horse"},
    )

    assert response.headers["Location"] == "/orders"


def test_next_returns_to_the_page_asked_for(client: FlaskClient, auth: AuthActions) -> None:
    auth.create()

    response = client.post(
        "/login",
        query_string={"next": "/orders?stage=New&page=2"},
        data={"username": "manager", "password": "correct horse"},
    )

    assert response.headers["Location"] == "/orders?stage=New&page=2"


def test_sign_out_ends_the_session(client: FlaskClient, auth: AuthActions) -> None:
    auth.login(role=Role.PACKER)

    auth.logout()

    assert client.get("/orders").status_code == 302


def test_forms_without_a_csrf_token_are_refused(app_config: dict[str, Any]) -> None:
    app: Flask = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()

    response = client.post("/login", data={"username": "x", "password": "y"})

    assert response.status_code == 400
    assert b"expired" in response.data


def test_repeated_failures_lock_the_sign_in_until_the_window_passes(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    auth.create()
    for _ in range(4):
        assert (
            client.post("/login", data={"username": "manager", "password": "nope"}).status_code
            == 401
        )

    locked = client.post("/login", data={"username": "manager", "password": "nope"})
    clock.advance(minutes=14)
    still = client.post("/login", data={"username": "manager", "password": "correct horse"})

    assert locked.status_code == 429
    assert "Too many sign-in attempts; try again in 15 minutes." in locked.get_data(as_text=True)
    assert still.status_code == 429 and "try again in 1 minute." in still.get_data(as_text=True)
    clock.advance(minutes=1)
    assert auth.login().headers["Location"] == "/orders"


def test_a_deactivated_user_cannot_sign_in(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.create("gone", role=Role.PACKER)
    with app.app_context():
        db.session.scalars(select(User).where(User.username == "gone")).one().active = False
        db.session.commit()

    response = client.post("/login", data={"username": "gone", "password": "correct horse"})

    assert response.status_code == 401
    assert client.get("/orders").status_code == 302


def test_a_page_for_a_higher_role_says_why_it_is_refused(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("pita", role=Role.PACKER)

    response = client.get("/settings/cin7")

    assert response.status_code == 403
    assert "This page is for managers. You are signed in as pita (packer)" in response.get_data(
        as_text=True
    )


def test_an_account_attacked_from_many_addresses_answers_429_with_the_wait(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    auth.create()
    for n in range(1, 11):
        refused = client.post(
            "/login",
            data={"username": "manager", "password": "nope"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{n}"},
        )
        assert refused.status_code == 401

    slowed = client.post("/login", data={"username": "manager", "password": "correct horse"})

    assert slowed.status_code == 429 and slowed.headers["Retry-After"] == "2"
    assert "try again in 2 seconds." in slowed.get_data(as_text=True)
    clock.advance(seconds=2)
    assert auth.login().headers["Location"] == "/orders"
