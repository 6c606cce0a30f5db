"""The sandbox mounted in Station: its API answers to Cin7's credentials, its controls to admins."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station.cin7.sandbox import DEMO_API_KEY, DEMO_USERNAME
from station.models import Role
from tests.carriers.samples import FakeClock
from tests.conftest import AuthActions

CONTROLS = [
    ("get", "/sandbox/_sandbox/requests"),
    ("post", "/sandbox/_sandbox/faults"),
    ("post", "/sandbox/_sandbox/orders/generate"),
    ("get", "/sandbox/_sandbox/orders/1"),
]


@pytest.fixture
def app_config(app_config: dict[str, Any]) -> dict[str, Any]:
    return {**app_config, "SANDBOX_ENABLED": True, "SESSION_IDLE_MINUTES": 30}


@pytest.mark.parametrize(("method", "path"), CONTROLS)
def test_the_controls_refuse_a_visitor_who_is_not_signed_in(
    client: FlaskClient, method: str, path: str
) -> None:
    response = getattr(client, method)(path, json={"clear": True})

    assert response.status_code == 401
    assert "sign in to Station as an admin" in response.get_json()["Message"]


def test_the_controls_refuse_a_manager(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("aroha", role=Role.MANAGER)

    response = client.post("/sandbox/_sandbox/orders/generate", json={"count": 1000})

    assert response.status_code == 403
    assert "for admins; you are signed in as aroha (manager)" in response.get_json()["Message"]


def test_a_signed_in_admin_uses_the_controls(client: FlaskClient, auth: AuthActions) -> None:
    auth.login("root", role=Role.ADMIN)

    assert client.post("/sandbox/_sandbox/faults", json={"clear": True}).status_code == 200
    assert client.get("/sandbox/_sandbox/requests").status_code == 200


def test_an_idle_admin_session_no_longer_opens_the_controls(
    client: FlaskClient, auth: AuthActions, clock: FakeClock
) -> None:
    auth.login("root", role=Role.ADMIN)
    clock.advance(minutes=31)

    assert client.get("/sandbox/_sandbox/requests").status_code == 401


def test_the_api_still_answers_to_cin7_credentials_alone(app: Flask, client: FlaskClient) -> None:
    response = client.get("/sandbox/api/v1/SalesOrders?rows=1", auth=(DEMO_USERNAME, DEMO_API_KEY))

    assert response.status_code == 200
