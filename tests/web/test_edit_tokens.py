"""Managers rename and delete shops' API tokens; one that has been used is revoked and kept."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station import audit
from station.extensions import db
from station.models import ApiToken, AuditEvent, Role
from tests.conftest import AuthActions
from tests.inbox.samples import order_json

TOKENS = "/inbox/settings/tokens"


@pytest.fixture
def manager(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


def make_token(client: FlaskClient, name: str = "Web shop", shop: str = "kete-co") -> str:
    """A token made on the settings page, as the page shows it once."""
    made = client.post(TOKENS, data={"name": name, "shop": shop})
    assert made.status_code == 201
    return made.text.split('<code id="api-token">')[1].split("</code>")[0]


def token_row(app: Flask, name: str) -> ApiToken | None:
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.name == name))
        db.session.expunge_all()
        return row


def row_id(app: Flask, name: str = "Web shop") -> int:
    row = token_row(app, name)
    assert row is not None
    return row.id


def send_order(app: Flask, token: str, **changes: Any) -> int:
    """A shop sends an order with ``token``; the API's status."""
    api = app.test_client()
    answer = api.post(
        "/api/v1/orders",
        json={**order_json(), **changes},
        headers={"Authorization": f"Bearer {token}"},
    )
    return answer.status_code


def last_event(app: Flask) -> tuple[str, str, dict[str, Any]]:
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
        assert event is not None
        return event.action, audit.describe(event), dict(event.detail)


def test_a_token_is_renamed_keeps_working_and_the_rename_is_audited(
    app: Flask, manager: FlaskClient
) -> None:
    token = make_token(manager)

    answer = manager.post(
        f"{TOKENS}/{row_id(app)}/rename", data={"name": "  Kete   web shop "}, follow_redirects=True
    )

    assert "API token Web shop renamed to Kete web shop." in answer.text
    assert token_row(app, "Kete web shop") is not None
    assert send_order(app, token) == 201  # the token itself is unchanged
    assert last_event(app) == (
        "inbox.api_token_renamed",
        "API token Kete web shop: renamed",
        {"from": "Web shop"},
    )


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "A token needs a name of 1 to 64 characters."),
        ("x" * 65, "A token needs a name of 1 to 64 characters."),
        ("Other shop", "A token called Other shop already exists."),
    ],
)
def test_a_bad_name_is_refused_with_why_and_changes_nothing(
    app: Flask, manager: FlaskClient, name: str, why: str
) -> None:
    make_token(manager)
    make_token(manager, "Other shop", "other")

    answer = manager.post(f"{TOKENS}/{row_id(app)}/rename", data={"name": name})

    assert answer.status_code == 422 and why in answer.text
    assert token_row(app, "Web shop") is not None


def test_a_token_never_used_is_deleted_and_opens_nothing(app: Flask, manager: FlaskClient) -> None:
    token = make_token(manager)
    token_id = row_id(app)

    answer = manager.post(f"{TOKENS}/{token_id}/delete", follow_redirects=True)

    assert "API token Web shop deleted." in answer.text
    assert token_row(app, "Web shop") is None
    assert send_order(app, token) == 401
    assert last_event(app)[:2] == ("inbox.api_token_deleted", "API token Web shop: deleted")


def test_a_token_orders_came_with_is_revoked_and_kept_instead(
    app: Flask, manager: FlaskClient
) -> None:
    token = make_token(manager)
    assert send_order(app, token) == 201
    token_id = row_id(app)

    answer = manager.post(f"{TOKENS}/{token_id}/delete", follow_redirects=True)
    again = manager.post(f"{TOKENS}/{token_id}/delete")
    renamed = manager.post(f"{TOKENS}/{token_id}/rename", data={"name": "Old shop"})

    assert "API token Web shop revoked: it has been used" in answer.text
    row = token_row(app, "Web shop")
    assert row is not None and row.revoked_at is not None
    assert send_order(app, token, id="SO-NEW-2") == 401
    assert last_event(app)[:2] == ("inbox.api_token_revoked", "API token Web shop: revoked")
    assert (
        again.status_code == 409
        and "revoked already, and kept because it has been used" in again.text
    )
    assert renamed.status_code == 422 and "is revoked and kept as it was" in renamed.text
    assert f'action="{TOKENS}/{token_id}/delete"' not in manager.get("/inbox/settings").text


def test_an_unknown_token_is_not_found(manager: FlaskClient) -> None:
    assert manager.post(f"{TOKENS}/99/rename", data={"name": "x"}).status_code == 404
    assert manager.post(f"{TOKENS}/99/delete").status_code == 404


def test_packers_cannot_rename_or_delete_tokens(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    token = make_token(client)
    token_id = row_id(app)
    auth.logout()
    auth.login("packer", role=Role.PACKER)

    renamed = client.post(f"{TOKENS}/{token_id}/rename", data={"name": "Mine"})
    deleted = client.post(f"{TOKENS}/{token_id}/delete")

    assert (renamed.status_code, deleted.status_code) == (403, 403)
    assert token_row(app, "Web shop") is not None and send_order(app, token) == 201
