"""Sessions end after idle minutes, on sign-out (this browser only) and when signed out everywhere."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station import create_app
from station.extensions import db
from station.models import AuditEvent, Role, SignInSession
from station.web.sessions import TOKEN_KEY
from tests.carriers.samples import FakeClock
from tests.conftest import AuthActions
from tests.web.conftest import signed_in


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "SESSION_IDLE_MINUTES": 30}


def test_an_idle_session_ends_with_a_message_and_a_way_back(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    auth.login(role=Role.PACKER)
    clock.advance(minutes=31)

    response = client.get("/orders?page=2")

    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/orders?page%3D2"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "You were signed out after 30 minutes without activity. Please sign in again." in page
    assert client.get("/orders").status_code == 302


def test_each_request_restarts_the_idle_time(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    auth.login(role=Role.PACKER)
    for _ in range(3):
        clock.advance(minutes=29)
        assert client.get("/orders").status_code == 200


def test_an_idle_htmx_request_is_sent_to_the_sign_in_page_whole(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    auth.login(role=Role.PACKER)
    clock.advance(hours=1)

    response = client.get("/orders?q=SO", headers={"HX-Request": "true"})

    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_the_session_cookie_outlives_the_idle_limit_so_the_message_can_be_shown(
    app: Flask,
) -> None:
    assert app.permanent_session_lifetime.total_seconds() == (30 + 24 * 60) * 60


@pytest.mark.parametrize("value", ["0", "-5", "soon", None])
def test_a_nonsense_idle_limit_stops_station_starting(
    app_config: dict[str, Any], value: object
) -> None:
    with pytest.raises(ValueError, match="SESSION_IDLE_MINUTES"):
        create_app({**app_config, "SESSION_IDLE_MINUTES": value})


def test_the_idle_limit_defaults_to_a_shift(app_config: dict[str, Any]) -> None:
    config = {k: v for k, v in app_config.items() if k != "SESSION_IDLE_MINUTES"}

    assert create_app(config).config["SESSION_IDLE_MINUTES"] == 720


def test_a_new_secret_key_keeps_sessions_signed_with_an_old_one_listed_in_fallbacks(
    app_config: dict[str, Any], client: FlaskClient, auth: AuthActions
) -> None:
    auth.login(role=Role.PACKER)  # signed with the fixture's SECRET_KEY
    cookie = client.get_cookie("session")
    assert cookie is not None
    rotated = {**app_config, "SECRET_KEY": "new-secret"}

    def orders_status(config: dict[str, Any]) -> int:
        browser = create_app(config).test_client()
        browser.set_cookie("session", cookie.value)
        return browser.get("/orders").status_code

    assert orders_status({**rotated, "SECRET_KEY_FALLBACKS": [app_config["SECRET_KEY"]]}) == 200
    assert orders_status(rotated) == 302  # without the fallback everyone signs in again


def test_a_cookie_copied_before_sign_out_opens_nothing_afterwards(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("pita", role=Role.PACKER)
    other_bench = signed_in(app, "pita")
    copied = client.get_cookie("session")
    assert copied is not None

    auth.logout()

    assert replayed(app, copied.value).get("/orders").headers["Location"].startswith("/login")
    htmx = replayed(app, copied.value).get("/orders?q=SO", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["HX-Redirect"].startswith("/login")
    assert other_bench.get("/orders").status_code == 200  # the same user's other browser
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.signed_out")
        ).one()
        assert (event.actor_username, event.target_label) == ("pita", "pita")


def test_signing_in_again_keeps_the_other_browsers_signed_in(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("pita", role=Role.PACKER)
    phone = signed_in(app, "pita")
    laptop = signed_in(app, "pita")

    phone.post("/logout")

    assert phone.get("/orders").status_code == 302
    assert laptop.get("/orders").status_code == 200
    assert client.get("/orders").status_code == 200


def test_the_database_keeps_only_a_hash_of_the_session_token(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("pita", role=Role.PACKER)
    with client.session_transaction() as cookie:
        token = cookie[TOKEN_KEY]

    with app.app_context():
        [stored] = db.session.scalars(select(SignInSession.token_hash)).all()
    assert token not in stored and len(token) >= 32


def replayed(app: Flask, cookie: str) -> FlaskClient:
    """A new browser carrying a copy of another's session cookie."""
    browser = app.test_client()
    browser.set_cookie("session", cookie)
    return browser


def test_sessions_of_browsers_that_never_came_back_are_forgotten(
    app: Flask, auth: AuthActions, clock: FakeClock
) -> None:
    auth.login("pita", role=Role.PACKER)
    clock.advance(days=2)  # past the idle limit and the cookie's own lifetime

    signed_in(app, "hemi")

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SignInSession)) == 1


def test_an_idle_sign_out_is_in_the_audit_log(
    app: Flask, client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    auth.login("pita", role=Role.PACKER)
    clock.advance(minutes=31)

    client.get("/orders")

    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "user.signed_out_idle")
        ).one()
        assert (event.actor_username, event.target_label, event.detail) == (
            "",
            "pita",
            {"idle_minutes": 30},
        )
