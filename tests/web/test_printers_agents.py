"""Print agents in the browser: list, add (token shown once), revoke; managers only."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from printers.testing import ZebraListener
from station import create_app
from station.extensions import db
from station.models import PrintAgent, Printer, Role
from station.printing.agents import agent_for_token
from tests.conftest import AuthActions


@pytest.fixture
def manager(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    auth.login()
    return client


@pytest.fixture
def zebra() -> Iterator[ZebraListener]:
    with ZebraListener() as listener:
        yield listener


def add_agent(client: FlaskClient, name: str) -> tuple[Any, str]:
    """Add an agent through the form; returns the response and the token it showed."""
    response = client.post("/printers/agents/new", data={"name": name})
    found = re.search(r'id="agent-token" value="([^"]+)"', response.get_data(as_text=True))
    return response, found.group(1) if found else ""


def test_a_manager_adds_an_agent_and_sees_its_token_and_command_once(
    app: Flask, manager: FlaskClient
) -> None:
    response, token = add_agent(manager, "Bench 3 PC")
    page = response.get_data(as_text=True)

    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    assert f"station agent --server http://localhost --token {token}" in page
    with app.app_context():
        agent = agent_for_token(db.session, token)
        assert agent is not None and agent.name == "Bench 3 PC"
        assert token not in (agent.token_hash or "")  # only a hash is stored
    listing = manager.get("/printers/agents").get_data(as_text=True)
    assert "Bench 3 PC" in listing and token not in listing


def test_the_agent_list_shows_last_seen_printers_and_scale(
    app: Flask, manager: FlaskClient, zebra: ZebraListener
) -> None:
    _, token = add_agent(manager, "Bench 3 PC")
    add_agent(manager, "Bench 4 PC")
    with app.app_context():
        agent_id = db.session.scalar(select(PrintAgent.id).where(PrintAgent.name == "Bench 3 PC"))
    manager.post(
        "/printers/new",
        data={
            "name": "Bench 3 Zebra",
            "transport": "tcp9100",
            "format": "zpl",
            "label_size": "4x6",
            "dpi": "203",
            "host": "127.0.0.1",
            "port": str(zebra.port),
            "agent_id": str(agent_id),
        },
    )
    headers = {"Authorization": f"Bearer {token}"}
    manager.get("/api/v1/agent/jobs?wait=0", headers=headers)
    manager.post("/api/v1/agent/scale", json={"grams": 1234, "stable": True}, headers=headers)

    page = manager.get("/printers/agents").get_data(as_text=True)

    row = page[page.index('id="agent-') : page.index("</tr>", page.index('id="agent-'))]
    assert "Bench 3 PC" in row and "Bench 3 Zebra" in row and "1,234 g" in row
    assert re.search(r'<time datetime="[^"]+Z">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</time>', row)
    assert "active" in row
    other = page[page.index("Bench 4 PC") :]
    assert "never" in other and "none yet" in other


def test_a_name_already_taken_or_missing_is_refused_with_the_reason(
    manager: FlaskClient,
) -> None:
    add_agent(manager, "Bench 3 PC")

    again, token = add_agent(manager, "Bench 3 PC")
    empty, _ = add_agent(manager, "   ")

    assert again.status_code == 422 and token == ""
    assert "already exists" in again.get_data(as_text=True)
    assert empty.status_code == 422


def test_revoking_an_agent_stops_its_token_at_once(app: Flask, manager: FlaskClient) -> None:
    _, token = add_agent(manager, "Bench 3 PC")
    with app.app_context():
        agent_id = db.session.scalar(select(PrintAgent.id))
    headers = {"Authorization": f"Bearer {token}"}
    before = manager.get("/api/v1/agent/jobs?wait=0", headers=headers)

    revoked = manager.post(f"/printers/agents/{agent_id}/revoke", follow_redirects=True)

    assert before.status_code == 200
    assert "Bench 3 PC revoked" in revoked.get_data(as_text=True)
    assert manager.get("/api/v1/agent/jobs?wait=0", headers=headers).status_code == 401
    page = manager.get("/printers/agents").get_data(as_text=True)
    assert "revoked" in page and f"/printers/agents/{agent_id}/revoke" not in page


def test_a_revoked_agent_is_not_offered_for_new_printers(app: Flask, manager: FlaskClient) -> None:
    add_agent(manager, "Bench 3 PC")
    add_agent(manager, "Old PC")
    with app.app_context():
        old_id = db.session.scalar(select(PrintAgent.id).where(PrintAgent.name == "Old PC"))
    manager.post(f"/printers/agents/{old_id}/revoke")

    form = manager.get("/printers/new").get_data(as_text=True)

    assert "Print agent: Bench 3 PC" in form and "Print agent: Old PC" not in form


def test_a_printer_given_to_an_agent_in_the_form_is_printed_by_that_agent(
    app: Flask, manager: FlaskClient, zebra: ZebraListener
) -> None:
    _, token = add_agent(manager, "Bench 3 PC")
    with app.app_context():
        agent_id = db.session.scalar(select(PrintAgent.id))
    manager.post(
        "/printers/new",
        data={
            "name": "Bench 3 Zebra",
            "transport": "tcp9100",
            "format": "zpl",
            "label_size": "4x6",
            "dpi": "203",
            "host": "127.0.0.1",
            "port": str(zebra.port),
            "agent_id": str(agent_id),
        },
    )
    with app.app_context():
        printer_id = db.session.scalar(select(Printer.id))
    manager.post(f"/printers/{printer_id}/test")

    offered = manager.get(
        "/api/v1/agent/jobs?wait=0", headers={"Authorization": f"Bearer {token}"}
    ).get_json()["jobs"]

    assert [job["printer"]["name"] for job in offered] == ["Bench 3 Zebra"]
    assert zebra.jobs == []  # the server leaves it to the agent
    assert "Bench 3 PC" in manager.get("/printers").get_data(as_text=True)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/printers/agents"),
        ("get", "/printers/agents/new"),
        ("post", "/printers/agents/new"),
        ("post", "/printers/agents/1/revoke"),
    ],
)
def test_packers_cannot_see_or_change_agents(
    app: Flask, client: FlaskClient, auth: AuthActions, method: str, path: str
) -> None:
    with app.app_context():
        from station.printing.agents import register_agent

        register_agent(db.session, "Bench 3 PC")
        db.session.commit()
    auth.login(username="packer", role=Role.PACKER)

    response = getattr(client, method)(path, data={"name": "Sneaky PC"})

    assert response.status_code == 403
    with app.app_context():
        agents = db.session.scalars(select(PrintAgent)).all()
        assert [(a.name, a.revoked_at) for a in agents] == [("Bench 3 PC", None)]


def test_signed_out_visitors_are_sent_to_sign_in(client: FlaskClient) -> None:
    assert client.get("/printers/agents").status_code == 302
    assert client.post("/printers/agents/new", data={"name": "x"}).status_code == 302


def test_agent_forms_without_a_csrf_token_are_refused(app_config: dict[str, Any]) -> None:
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    auth = AuthActions(app, client)
    auth.create()
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert csrf is not None
    client.post(
        "/login",
        data={"username": "manager", "password": "correct horse", "csrf_token": csrf.group(1)},
    )
    with app.app_context():
        from station.printing.agents import register_agent

        agent_id = register_agent(db.session, "Bench 3 PC").agent
        db.session.commit()
        agent_id = agent_id.id

    added = client.post("/printers/agents/new", data={"name": "Bench 9 PC"})
    revoked = client.post(f"/printers/agents/{agent_id}/revoke")
    form = client.get("/printers/agents/new").get_data(as_text=True)
    listing = client.get("/printers/agents").get_data(as_text=True)

    assert (added.status_code, revoked.status_code) == (400, 400)
    with app.app_context():
        agents = db.session.scalars(select(PrintAgent)).all()
        assert [(a.name, a.revoked_at) for a in agents] == [("Bench 3 PC", None)]
    assert 'name="csrf_token"' in form and 'name="csrf_token"' in listing
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
