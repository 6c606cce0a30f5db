"""My account: name, printer and bench; own password; sign out everywhere."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.accounts import authenticate
from station.extensions import db
from station.models import AuditEvent, Printer, Role, User
from tests.conftest import AuthActions
from tests.web.conftest import signed_in


def add_printers(app: Flask) -> tuple[int, int]:
    with app.app_context():
        first = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        second = Printer(name="Bench 2", spec={"format": "zpl", "transport": "memory"})
        db.session.add_all([first, second])
        db.session.commit()
        return first.id, second.id


def test_sign_out_everywhere_ends_every_session_of_the_user(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("pita", role=Role.PACKER)
    other = signed_in(app, "pita")
    bystander = signed_in(app, "hemi")

    response = client.post("/account/sign-out-everywhere")

    assert response.headers["Location"] == "/login"
    assert client.get("/orders").status_code == 302
    ended = other.get("/orders")
    assert ended.status_code == 302 and ended.headers["Location"].startswith("/login")
    assert "signed out everywhere" in other.get(ended.headers["Location"]).get_data(as_text=True)
    assert bystander.get("/orders").status_code == 200
    with app.app_context():
        assert (
            db.session.scalar(
                select(AuditEvent.actor_username).where(
                    AuditEvent.action == "user.signed_out_everywhere"
                )
            )
            == "pita"
        )


def test_changing_the_password_keeps_this_session_and_ends_the_others(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("pita", role=Role.PACKER)
    other = signed_in(app, "pita")

    response = client.post(
        "/account/password",
        data={"current": "correct horse", "new": "battery staple", "confirm": "battery staple"},
    )

    assert response.status_code == 302
    assert client.get("/account").status_code == 200
    assert other.get("/orders").status_code == 302
    with app.app_context():
        assert authenticate(db.session, "pita", "battery staple") is not None


def test_the_current_password_is_needed_to_change_it(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("pita", role=Role.PACKER)

    wrong = client.post(
        "/account/password",
        data={"current": "guess", "new": "battery staple", "confirm": "battery staple"},
    )
    differ = client.post(
        "/account/password",
        data={"current": "correct horse", "new": "battery staple", "confirm": "battery stable"},
    )

    assert wrong.status_code == 422 and "The current password is not right." in wrong.get_data(
        as_text=True
    )
    assert differ.status_code == 422 and "The new passwords differ." in differ.get_data(
        as_text=True
    )
    with app.app_context():
        assert authenticate(db.session, "pita", "correct horse") is not None


def test_the_bench_starts_on_the_users_default_printer_until_one_is_chosen(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    first, second = add_printers(app)
    auth.login("pita", role=Role.PACKER)

    saved = client.post(
        "/account/defaults",
        data={
            "display_name": "Pita",
            "default_printer_id": str(second),
            "default_bench": "Bench B",
        },
    )

    assert saved.status_code == 302
    assert "Labels print on <strong>Bench 2</strong>" in client.get("/bench").get_data(as_text=True)
    client.post("/bench/printer", data={"printer_id": str(first)})
    assert "Labels print on <strong>Bench 1</strong>" in client.get("/bench").get_data(as_text=True)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == "pita")).one()
        assert (user.display_name, user.default_bench) == ("Pita", "Bench B")


def test_a_printer_not_offered_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("pita", role=Role.PACKER)

    response = client.post("/account/defaults", data={"default_printer_id": "999"})

    assert response.status_code == 422
    assert "Not a valid choice" in response.get_data(as_text=True)


def test_the_account_page_needs_a_sign_in(client: FlaskClient) -> None:
    assert client.get("/account").headers["Location"].startswith("/login")
