"""Managers rename inbox folders and remove empty custom ones."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import AuditEvent, InboxFolder, InboxOrder, Role
from tests.conftest import AuthActions
from tests.inbox.samples import order_json

SETTINGS = "/inbox/settings"


def folder_id(app: Flask, name: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(InboxFolder.id).where(InboxFolder.name == name))
        assert found is not None
        return found


def last_audit(app: Flask) -> tuple[str, dict[str, object]]:
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).order_by(AuditEvent.id.desc()))
        assert event is not None
        return event.action, dict(event.detail)


def an_order_in(app: Flask, client: FlaskClient, folder: int) -> None:
    """An order sent by a shop, moved into ``folder``."""
    made = client.post(f"{SETTINGS}/tokens", data={"name": "Web shop", "shop": "kete-co"})
    token = made.get_data(as_text=True).split('<code id="api-token">')[1].split("</code>")[0]
    api = app.test_client()
    sent = api.post(
        "/api/v1/orders", json=order_json(), headers={"Authorization": f"Bearer {token}"}
    )
    assert sent.status_code == 201
    with app.app_context():
        order_id = db.session.scalar(select(InboxOrder.id))
    client.post("/inbox/move", data={"order_id": str(order_id), "folder_id": str(folder)})
    with app.app_context():
        assert db.session.scalar(select(InboxOrder.folder_id)) == folder


def test_a_folder_is_renamed_and_the_rename_audited(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    client.post(f"{SETTINGS}/folders", data={"name": "Wholesale"})
    wholesale = folder_id(app, "Wholesale")

    answer = client.post(
        f"{SETTINGS}/folders/{wholesale}/rename",
        data={"name": "  Trade   orders "},
        follow_redirects=True,
    )

    assert "Folder Wholesale renamed to Trade orders." in answer.text
    assert folder_id(app, "Trade orders") == wholesale
    assert last_audit(app) == ("inbox.folder_renamed", {"from": "Wholesale"})


def test_a_default_folder_can_be_renamed_and_stays_a_default(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    client.get(SETTINGS)  # the default folders are made on the first look
    errors = folder_id(app, "Errors")

    client.post(f"{SETTINGS}/folders/{errors}/rename", data={"name": "Problems"})

    with app.app_context():
        folder = db.session.get(InboxFolder, errors)
        assert folder is not None and (folder.name, folder.slug) == ("Problems", "errors")


def test_a_rename_to_a_taken_or_empty_name_is_refused(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    client.post(f"{SETTINGS}/folders", data={"name": "Wholesale"})
    wholesale = folder_id(app, "Wholesale")

    taken = client.post(f"{SETTINGS}/folders/{wholesale}/rename", data={"name": "errors"})
    empty = client.post(f"{SETTINGS}/folders/{wholesale}/rename", data={"name": "   "})

    assert taken.status_code == 422 and "There is already a folder called Errors." in taken.text
    assert empty.status_code == 422 and "A folder needs a name" in empty.text
    assert folder_id(app, "Wholesale") == wholesale


def test_a_folder_holding_orders_is_not_removed_until_they_are_moved(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()
    client.post(f"{SETTINGS}/folders", data={"name": "Wholesale"})
    wholesale = folder_id(app, "Wholesale")
    an_order_in(app, client, wholesale)

    refused = client.post(f"{SETTINGS}/folders/{wholesale}/remove")
    client.post("/inbox/move", data={"order_id": "1", "folder_id": str(folder_id(app, "New"))})
    removed = client.post(f"{SETTINGS}/folders/{wholesale}/remove", follow_redirects=True)

    assert refused.status_code == 409
    assert "Wholesale still holds 1 order(s); move them first." in refused.text
    assert "Folder Wholesale removed." in removed.text
    with app.app_context():
        assert db.session.get(InboxFolder, wholesale) is None
    assert last_audit(app)[0] == "inbox.folder_removed"


def test_packers_cannot_rename_folders(app: Flask, client: FlaskClient, auth: AuthActions) -> None:
    auth.login()
    client.post(f"{SETTINGS}/folders", data={"name": "Wholesale"})
    wholesale = folder_id(app, "Wholesale")
    auth.logout()
    auth.login(username="packer", role=Role.PACKER)

    answer = client.post(f"{SETTINGS}/folders/{wholesale}/rename", data={"name": "Mine"})

    assert answer.status_code == 403
    assert folder_id(app, "Wholesale") == wholesale
