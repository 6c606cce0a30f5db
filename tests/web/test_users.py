"""Users (admins only): add people, change roles, reset passwords, deactivate."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.accounts import authenticate
from station.extensions import db
from station.models import AuditEvent, Printer, Role, User
from tests.conftest import AuthActions
from tests.web.conftest import signed_in


@pytest.fixture
def admin(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login("ada", role=Role.ADMIN)
    return client


def user_named(app: Flask, username: str) -> User:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.username == username)).one()
        db.session.expunge(user)
        return user


def actions(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.actor_username, AuditEvent.action, AuditEvent.target_label).order_by(
                AuditEvent.id
            )
        )
        return [tuple(r) for r in rows if not r.action.startswith("signin.")]  # type: ignore[misc]


@pytest.mark.parametrize("role", [Role.PACKER, Role.MANAGER])
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", "/users"), ("post", "/users"), ("get", "/users/1"), ("post", "/users/1/role")],
)
def test_only_admins_reach_the_users_pages(
    client: FlaskClient, auth: AuthActions, role: Role, method: str, path: str
) -> None:
    auth.login("someone", role=role)

    response = getattr(client, method)(path, data={"role": "admin"})

    assert response.status_code == 403


def test_the_nav_links_users_for_admins_only(app: Flask, admin: FlaskClient) -> None:
    manager = signed_in(app, "mia", Role.MANAGER)

    assert 'href="/users"' in admin.get("/orders").get_data(as_text=True)
    assert 'href="/users"' not in manager.get("/orders").get_data(as_text=True)


def test_an_admin_adds_a_user_who_can_then_sign_in(app: Flask, admin: FlaskClient) -> None:
    response = admin.post(
        "/users",
        data={
            "username": "Pita",
            "display_name": "Pita <b>",
            "role": "packer",
            "password": "long enough",
        },
    )

    assert response.status_code == 302
    page = admin.get("/users").get_data(as_text=True)
    assert "pita" in page and "Pita &lt;b&gt;" in page
    assert (
        AuthActions(app, app.test_client()).login("pita", "long enough").headers["Location"]
        == "/orders"
    )
    assert ("ada", "user.created", "pita") in actions(app)


def test_a_short_password_and_a_taken_name_are_both_explained(admin: FlaskClient) -> None:
    response = admin.post("/users", data={"username": "ada", "role": "packer", "password": "short"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "at least 8 characters" in page and "&#39;ada&#39; is taken" in page


def test_an_admin_changes_a_role(app: Flask, admin: FlaskClient) -> None:
    packer = signed_in(app, "pita")
    pita = user_named(app, "pita")

    response = admin.post(f"/users/{pita.id}/role", data={"role": "manager"})

    assert response.status_code == 302
    assert user_named(app, "pita").role == Role.MANAGER
    assert packer.get("/settings/cin7").status_code == 200  # takes effect at once
    assert ("ada", "user.role_changed", "pita") in actions(app)


def test_an_admin_cannot_lower_their_own_role(app: Flask, admin: FlaskClient) -> None:
    me = user_named(app, "ada")

    response = admin.post(f"/users/{me.id}/role", data={"role": "packer"})

    assert response.status_code == 422
    assert "You cannot lower your own role" in response.get_data(as_text=True)
    assert user_named(app, "ada").role == Role.ADMIN


def test_an_admin_cannot_deactivate_themselves(app: Flask, admin: FlaskClient) -> None:
    me = user_named(app, "ada")

    response = admin.post(f"/users/{me.id}/deactivate")

    assert response.status_code == 422
    assert "You cannot deactivate yourself" in response.get_data(as_text=True)
    assert user_named(app, "ada").active


def test_deactivating_signs_the_user_out_and_keeps_them_out(app: Flask, admin: FlaskClient) -> None:
    packer = signed_in(app, "pita")
    pita = user_named(app, "pita")

    admin.post(f"/users/{pita.id}/deactivate")

    assert packer.get("/orders").status_code == 302
    again = app.test_client().post("/login", data={"username": "pita", "password": "correct horse"})
    assert again.status_code == 401
    assert "deactivated" in admin.get("/users").get_data(as_text=True)

    admin.post(f"/users/{pita.id}/reactivate")

    assert signed_in(app, "pita").get("/orders").status_code == 200
    assert [a for _, a, _ in actions(app)] == ["user.deactivated", "user.reactivated"]


def test_a_password_reset_ends_the_users_sessions(app: Flask, admin: FlaskClient) -> None:
    packer = signed_in(app, "pita")
    pita = user_named(app, "pita")

    short = admin.post(f"/users/{pita.id}/password", data={"password": "short"})
    reset = admin.post(f"/users/{pita.id}/password", data={"password": "new and long"})

    assert short.status_code == 422 and "at least 8 characters" in short.get_data(as_text=True)
    assert reset.status_code == 302
    assert packer.get("/orders").status_code == 302
    with app.app_context():
        assert authenticate(db.session, "pita", "new and long") is not None
    assert [a for _, a, _ in actions(app)] == ["user.password_reset"]


def test_an_admin_sets_a_users_printer_and_bench(app: Flask, admin: FlaskClient) -> None:
    signed_in(app, "pita")
    with app.app_context():
        printer = Printer(name="Bench 2", spec={"format": "zpl", "transport": "memory"})
        db.session.add(printer)
        db.session.commit()
        printer_id = printer.id
    pita = user_named(app, "pita")

    admin.post(
        f"/users/{pita.id}/defaults",
        data={"display_name": "Pita", "default_printer_id": str(printer_id), "default_bench": "B"},
    )

    row = admin.get("/users").get_data(as_text=True)
    assert "<td>Bench 2</td>" in row and "<td>B</td>" in row
    assert user_named(app, "pita").default_printer_id == printer_id


def test_an_unknown_user_is_404(admin: FlaskClient) -> None:
    assert admin.get("/users/999").status_code == 404
