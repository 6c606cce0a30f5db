"""The print agents' JSON API: token auth and clear 400s for bad requests."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station.extensions import db
from station.printing.agents import register_agent


@pytest.fixture
def token(app: Flask) -> str:
    with app.app_context():
        new = register_agent(db.session, "Bench 2 PC")
        db.session.commit()
        return new.token


def test_a_poll_without_a_known_token_is_refused(client: FlaskClient) -> None:
    for headers in ({}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "x"}):
        response = client.get("/api/v1/agent/jobs", headers=headers)

        assert response.status_code == 401
        assert response.get_json() == {"error": "Unknown or revoked agent token."}


def test_a_poll_with_nothing_to_print_answers_at_once(client: FlaskClient, token: str) -> None:
    response = client.get("/api/v1/agent/jobs?wait=0", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200 and response.get_json() == {"jobs": []}


@pytest.mark.parametrize("wait", ["nan", "inf", "-inf", "soon", "1e999"])
def test_a_wait_that_is_not_a_finite_number_is_a_clear_400(
    client: FlaskClient, token: str, wait: str
) -> None:
    response = client.get(
        "/api/v1/agent/jobs",
        query_string={"wait": wait},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 400
    assert "number of seconds" in response.get_json()["error"]


def test_a_report_for_a_job_the_agent_does_not_own_is_a_clear_400(
    client: FlaskClient, token: str
) -> None:
    response = client.post(
        "/api/v1/agent/jobs/999",
        json={"outcome": "done"},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 400 and response.get_json()["error"]
