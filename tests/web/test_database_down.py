"""A database Station cannot reach: every request is a 503 saying so, never a hang or a 500.

PostgreSQL stopped (a closed port), PostgreSQL that accepts the connection and never
answers (a server gone behind a firewall keeps the person waiting the same way), and a
SQLite file whose folder is gone. The page shown needs nothing from the database.
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from station import create_app
from station.extensions import db
from station.models import Role
from tests.conftest import AuthActions

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

CANNOT_REACH = "Station cannot reach its database just now. Nothing was saved"
SIGN_IN = {"username": "packer", "password": "a long enough passphrase"}


@pytest.fixture
def silent_postgres() -> Iterator[str]:
    """The URL of a 'PostgreSQL' that takes each connection and never says a word."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(listener.accept()[0])
            except OSError:
                return  # the listener was closed

    threading.Thread(target=accept, daemon=True).start()
    port = listener.getsockname()[1]
    yield f"postgresql+psycopg://station@127.0.0.1:{port}/station"
    listener.close()
    for conn in held:
        conn.close()


@pytest.fixture
def stopped_postgres() -> str:
    """The URL of a PostgreSQL that is not running: nothing listens on its port."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    return f"postgresql+psycopg://station@127.0.0.1:{port}/station"


@contextmanager
def app_on(app_config: dict[str, Any], url: str) -> Iterator[Flask]:
    """Station on ``url``, connecting for at most 2 s."""
    app = create_app({**app_config, "DATABASE_URL": url, "DATABASE_CONNECT_TIMEOUT": 2})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def within(seconds: float, request: Any) -> TestResponse:
    """``request()``'s answer, failing the test if none comes within ``seconds``."""
    answers: list[TestResponse] = []
    thread = threading.Thread(target=lambda: answers.append(request()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert answers, f"no answer within {seconds} s: the request hangs on the database"
    return answers[0]


def test_a_database_that_never_answers_is_a_503_page_after_the_connect_timeout(
    app_config: dict[str, Any], silent_postgres: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="station")
    with app_on(app_config, silent_postgres) as app:
        client = app.test_client()
        answer = within(60, lambda: client.post("/login", data=SIGN_IN))

        assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
        page = answer.get_data(as_text=True)
        assert CANNOT_REACH in page and "<h1>503</h1>" in page
        assert "Try again" in page
        logged = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
        assert any(
            "answered 503 to POST /login: the database could not be reached" in line
            and "timeout" in line
            for line in logged
        ), logged


def test_a_stopped_database_is_a_json_503_under_the_api(
    app_config: dict[str, Any], stopped_postgres: str
) -> None:
    with app_on(app_config, stopped_postgres) as app:
        answer = app.test_client().post(
            "/api/v1/orders", json={}, headers={"Authorization": "Bearer anything"}
        )

        assert answer.status_code == 503 and answer.headers["Retry-After"] == "30"
        assert answer.get_json()["error"].startswith(CANNOT_REACH)


def test_a_scan_after_the_database_stopped_answers_in_the_bench_panel(
    app_config: dict[str, Any],
    client: FlaskClient,
    auth: AuthActions,
    stopped_postgres: str,
) -> None:
    auth.login("packer", role=Role.PACKER)  # signed in while the database answered
    cookie = client.get_cookie("session")
    assert cookie is not None
    with app_on(app_config, stopped_postgres) as app:
        bench = app.test_client()
        bench.set_cookie("session", cookie.value)
        answer = bench.post("/bench/scan", data={"scan": "SO-5001"}, headers={"HX-Request": "true"})

        assert answer.status_code == 503
        fragment = answer.get_data(as_text=True)
        assert CANNOT_REACH in fragment and "<html" not in fragment


def test_a_sqlite_database_whose_folder_is_gone_is_the_same_503(
    app_config: dict[str, Any], tmp_path: Path
) -> None:
    gone = tmp_path / "unmounted" / "station.db"
    with app_on(app_config, f"sqlite:///{gone}") as app:
        client = app.test_client()

        for answer in (client.get("/login"), client.post("/login", data=SIGN_IN)):
            assert answer.status_code == 503
            assert CANNOT_REACH in answer.get_data(as_text=True)
        assert not gone.parent.exists()  # nothing was made in its place


def test_other_errors_met_while_the_database_is_gone_are_the_same_503(
    app_config: dict[str, Any], tmp_path: Path
) -> None:
    gone = tmp_path / "unmounted" / "station.db"
    with app_on({**app_config, "WTF_CSRF_ENABLED": True}, f"sqlite:///{gone}") as app:
        client = app.test_client()

        answers = (
            client.get("/robots.txt"),  # a 404 page draws the header from the database
            client.get("/no-such-page", headers={"HX-Request": "true"}),
            client.post("/logout"),  # no CSRF token: a 400 page, the same way
        )

    for answer in answers:
        assert answer.status_code == 503
        assert CANNOT_REACH in answer.get_data(as_text=True)
