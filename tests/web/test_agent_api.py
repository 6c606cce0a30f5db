"""The print agents' JSON API: token auth and clear 400s for bad requests."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import PrintAgent, Printer
from station.printing.agents import register_agent
from station.printing.queue import queue_job


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


def scale_post(client: FlaskClient, token: str, **kwargs: object):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/agent/scale", headers={"Authorization": f"Bearer {token}"}, **kwargs
    )


def test_a_stable_weight_is_kept_as_the_agents_latest_reading(
    app: Flask, client: FlaskClient, token: str
) -> None:
    response = scale_post(client, token, json={"grams": 1234, "stable": True})

    assert response.status_code == 200
    assert response.get_json()["grams"] == 1234 and response.get_json()["stable"] is True
    assert response.get_json()["read_at"].endswith("Z")  # an API: UTC with Z
    with app.app_context():
        agent = db.session.scalar(select(PrintAgent))
        assert agent is not None
        assert (agent.scale_grams, agent.scale_stable) == (1234, True)
        assert agent.scale_read_at is not None and agent.last_seen_at == agent.scale_read_at


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"grams": "1234", "stable": True}, "grams must be a whole number of grams, not '1234'"),
        ({"grams": 12.5, "stable": True}, "grams must be a whole number of grams, not 12.5"),
        ({"grams": True, "stable": True}, "grams must be a whole number"),
        ({"grams": -5, "stable": True}, "grams must be between 0 and 2000000, not -5"),
        ({"grams": 3_000_000, "stable": False}, "grams must be between 0 and 2000000"),
        ({"grams": 100, "stable": "yes"}, "stable must be true or false, not 'yes'"),
        ({"stable": True}, "grams must be a whole number of grams, not None"),
        ([1234, True], 'Send a JSON object such as {"grams": 1234, "stable": true}.'),
    ],
)
def test_a_bad_weight_is_a_clear_400(
    app: Flask, client: FlaskClient, token: str, body: object, says: str
) -> None:
    response = scale_post(client, token, json=body)

    assert response.status_code == 400
    assert says.lower() in response.get_json()["error"].lower()
    with app.app_context():
        agent = db.session.scalar(select(PrintAgent))
        assert agent is not None and agent.scale_grams is None


def test_every_problem_with_a_weight_is_named_at_once(client: FlaskClient, token: str) -> None:
    response = scale_post(client, token, json={"grams": "heavy", "stable": 1})

    assert response.get_json()["error"] == (
        "Grams must be a whole number of grams, not 'heavy'; stable must be true or false, not 1."
    )


def test_a_weight_that_is_not_json_is_a_clear_400(client: FlaskClient, token: str) -> None:
    for kwargs in (
        {"data": "grams=5"},
        {"data": "{not json", "content_type": "application/json"},
    ):
        response = scale_post(client, token, **kwargs)

        assert response.status_code == 400
        assert '{"grams": 1234, "stable": true}' in response.get_json()["error"]


def test_a_weight_without_a_known_token_is_refused(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/agent/scale",
        json={"grams": 10, "stable": True},
        headers={"Authorization": "Bearer nope"},
    )

    assert response.status_code == 401


def test_a_token_holds_two_long_polls_a_third_is_refused_and_healthz_never_waits(
    app: Flask, client: FlaskClient, token: str
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    answers: list[int] = []

    def poll() -> None:
        with app.test_client() as own:
            answers.append(own.get("/api/v1/agent/jobs?wait=25", headers=headers).status_code)

    polls = [threading.Thread(target=poll) for _ in range(2)]
    for thread in polls:
        thread.start()
    assert app.extensions["station.long_polls"].wait_until_held(2, timeout=10)

    third = client.get("/api/v1/agent/jobs?wait=25", headers=headers)
    health = client.get("/healthz")
    with app.app_context():  # a job for the agent ends both waiting polls
        agent = db.session.scalar(select(PrintAgent))
        printer = Printer(
            name="Bench 2", agent=agent, spec={"format": "zpl", "transport": "memory"}
        )
        db.session.add(printer)
        db.session.flush()
        queue_job(db.session, printer, b"^XA^XZ", kind="label", format="zpl")
        db.session.commit()
    for thread in polls:
        thread.join(timeout=30)

    assert third.status_code == 429 and "already has 2 polls waiting" in third.get_json()["error"]
    assert health.status_code == 200
    assert answers == [200, 200]
