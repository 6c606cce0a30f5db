"""Settings → Cin7: managers enter the connection and the sync selection; the key stays hidden."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from station.cin7.sandbox import DEMO_API_KEY, DEMO_USERNAME, SandboxServer
from station.cin7.selection import load_selection
from station.cin7.wiring import cin7_wiring
from station.extensions import db
from station.models import Role
from tests.conftest import AuthActions
from tests.fakes.cin7 import sandbox_config
from tests.fakes.http import serving
from tests.web.forms import form


@pytest.fixture
def sandbox_orders() -> int:
    return 10


def test_a_manager_saves_the_connection_and_selection(
    app: Flask, client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    auth.login()

    response = client.post("/settings/cin7", data=form(sandbox))

    assert response.status_code == 302
    with app.app_context():
        conn = cin7_wiring().connection(db.session)
        selection = load_selection(cin7_wiring().settings(db.session))
    assert (conn.base_url, conn.username, conn.api_key) == (
        sandbox.base_url,
        DEMO_USERNAME,
        DEMO_API_KEY,
    )
    assert selection.window_days == 14 and selection.branch_ids == (1, 3)
    assert selection.stages == ("New", "Fully Picked") and not selection.include_dispatched


@pytest.mark.parametrize("days", ["0", "3651", "9" * 400, "-5"])
def test_a_window_outside_1_to_3650_days_is_refused_saying_so(
    app: Flask, client: FlaskClient, auth: AuthActions, sandbox: SandboxServer, days: str
) -> None:
    auth.login()

    response = client.post("/settings/cin7", data=form(sandbox, window_days=days))

    assert response.status_code == 422
    assert "Type a number of days from 1 to 3650." in response.get_data(as_text=True)
    with app.app_context():
        assert cin7_wiring().connection(db.session).username != DEMO_USERNAME  # not saved


def test_the_api_key_is_never_shown_back(
    client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    auth.login()
    client.post("/settings/cin7", data=form(sandbox))

    page = client.get("/settings/cin7").get_data(as_text=True)

    assert DEMO_API_KEY not in page
    assert "stored — type a new key to replace it" in page


def test_an_empty_key_keeps_the_stored_one(
    app: Flask, client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    auth.login()
    client.post("/settings/cin7", data=form(sandbox))

    client.post("/settings/cin7", data=form(sandbox, api_key="", window_days="7"))

    with app.app_context():
        assert cin7_wiring().connection(db.session).api_key == DEMO_API_KEY


@pytest.mark.parametrize(
    "change",
    [{"base_url": "https://cin7.evil.example/api"}, {"username": "someone-else"}],
)
def test_the_stored_key_is_not_kept_for_another_server_or_account(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    sandbox: SandboxServer,
    change: dict[str, str],
) -> None:
    auth.login()
    client.post("/settings/cin7", data=form(sandbox))

    response = client.post("/settings/cin7", data=form(sandbox, api_key="", **change))

    assert response.status_code == 422
    assert "Type the API key again" in response.get_data(as_text=True)
    with app.app_context():
        conn = cin7_wiring().connection(db.session)
        assert (conn.base_url, conn.username) == (sandbox.base_url, DEMO_USERNAME)


@pytest.mark.parametrize(
    ("base_url", "accepted"),
    [
        ("http://api.cin7.example/api", False),
        ("http://127.0.0.1:8765/api", True),
        ("http://localhost:8765/api", True),
        ("http://[::1]:8765/api", True),
        ("https://api.cin7.com/api", True),
    ],
)
def test_plain_http_is_only_allowed_to_this_machine(
    client: FlaskClient, auth: AuthActions, sandbox: SandboxServer, base_url: str, accepted: bool
) -> None:
    auth.login()

    response = client.post("/settings/cin7", data=form(sandbox, base_url=base_url))

    assert (response.status_code == 302) is accepted


def test_every_problem_is_reported_at_once(
    client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    auth.login()

    response = client.post(
        "/settings/cin7", data=form(sandbox, base_url="ftp://x/v1", username="", api_key="")
    )

    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert (
        "must start with https://" in text
        and "username is required" in text
        and "key is required" in text
    )


def test_test_connection_calls_cin7_once(
    client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    auth.login()
    client.post("/settings/cin7", data=form(sandbox))
    before = len(sandbox.state.api_calls())

    answer = client.post("/settings/cin7/test").get_data(as_text=True)

    assert "Connected to Cin7: 3 branches." in answer
    assert len(sandbox.state.api_calls()) - before == 1


def test_test_connection_explains_a_refused_key(
    client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    auth.login()
    client.post("/settings/cin7", data=form(sandbox, api_key="wrong-key"))

    answer = client.post("/settings/cin7/test").get_data(as_text=True)

    assert "refused the API username/key" in answer and "wrong-key" not in answer


def test_without_credentials_test_connection_says_so(
    client: FlaskClient, auth: AuthActions
) -> None:
    auth.login()

    answer = client.post("/settings/cin7/test").get_data(as_text=True)

    assert "Cin7 is not connected yet" in answer


def test_packers_may_not_change_settings(
    client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    auth.login(username="packer", role=Role.PACKER)

    assert client.get("/settings/cin7").status_code == 403
    assert client.post("/settings/cin7", data=form(sandbox)).status_code == 403
    assert "Settings</a>" not in client.get("/orders").get_data(as_text=True)


def test_environment_wins_over_settings(app_config: dict[str, Any], sandbox: SandboxServer) -> None:
    from station import create_app

    app = create_app(
        {
            **app_config,
            "CIN7_BASE_URL": "https://cin7.example/api",
            "CIN7_USERNAME": "env-user",
            "CIN7_API_KEY": "env-key",
        }
    )
    client = app.test_client()
    AuthActions(app, client).login()

    client.post("/settings/cin7", data=form(sandbox))
    page = client.get("/settings/cin7").get_data(as_text=True)

    with app.app_context():
        conn = cin7_wiring().connection(db.session)
    assert (conn.base_url, conn.username, conn.api_key) == (
        "https://cin7.example/api",
        "env-user",
        "env-key",
    )
    assert "STATION_CIN7_BASE_URL" in page and "env-key" not in page


def test_branch_listing_shows_cin7_branches(
    client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    auth.login()
    client.post("/settings/cin7", data=form(sandbox))

    page = client.get("/settings/cin7/branches").get_data(as_text=True)

    assert sandbox.state.branches
    for branch in sandbox.state.branches:
        assert f'<td class="num">{branch["id"]}</td>' in page
        assert str(escape(branch["company"])) in page


def test_branch_listing_explains_a_refused_key(
    client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    auth.login()
    client.post("/settings/cin7", data=form(sandbox, api_key="wrong-key"))

    page = client.get("/settings/cin7/branches").get_data(as_text=True)

    assert "refused the API username/key" in page and "<table" not in page


@pytest.fixture
def strict(app_config: dict[str, Any]) -> Iterator[FlaskClient]:
    """A manager's client on an app that does not allow private Cin7 addresses."""
    from station import create_app

    app = create_app({**app_config, "CIN7_PRIVATE": False})
    client = app.test_client()
    AuthActions(app, client).login()
    yield client


@pytest.mark.parametrize(
    "base_url",
    [
        "http://127.0.0.1:9090/metrics?x=",
        "http://localhost:8765/api",
        "https://10.0.0.5/api",
        "https://169.254.169.254/latest",
        "https://[::ffff:192.168.1.1]/api",
    ],
)
def test_a_private_or_local_base_url_is_refused_unless_allowed(
    strict: FlaskClient, sandbox: SandboxServer, base_url: str
) -> None:
    response = strict.post("/settings/cin7", data=form(sandbox, base_url=base_url))

    assert response.status_code == 422
    assert "STATION_CIN7_PRIVATE" in response.get_data(as_text=True)


def test_test_connection_refuses_a_private_address_from_the_environment(
    app_config: dict[str, Any], sandbox: SandboxServer
) -> None:
    from station import create_app

    app = create_app({**app_config, **sandbox_config(sandbox), "CIN7_PRIVATE": False})
    client = app.test_client()
    AuthActions(app, client).login()
    before = len(sandbox.state.api_calls())

    answer = client.post("/settings/cin7/test").get_data(as_text=True)

    assert "STATION_CIN7_PRIVATE" in answer
    assert len(sandbox.state.api_calls()) == before


SECRET_BODY = "internal_metric_secret 42"


def _probe_target() -> Flask:
    """A service on this machine that is not Cin7: it answers with things to keep private."""
    target = Flask("probe")

    @target.get("/metrics/v1/Branches")
    def metrics() -> tuple[str, int]:
        return SECRET_BODY, 200

    @target.get("/json/v1/Branches")
    def refused() -> tuple[dict[str, str], int]:
        return {"message": SECRET_BODY}, 400

    @target.get("/names/v1/Branches")
    def names() -> list[dict[str, Any]]:
        return [{"id": 1, "company": SECRET_BODY}]

    return target


@pytest.mark.parametrize("path", ["metrics", "json", "names"])
def test_test_connection_shows_a_verdict_never_the_answer(
    app: Flask, client: FlaskClient, auth: AuthActions, sandbox: SandboxServer, path: str
) -> None:
    auth.login()
    with serving(_probe_target()) as base:
        client.post("/settings/cin7", data=form(sandbox, base_url=f"{base}/{path}"))

        answer = client.post("/settings/cin7/test").get_data(as_text=True)

    assert SECRET_BODY not in answer and "internal_metric" not in answer
    assert "Connected to Cin7: 1 branch" in answer if path == "names" else "not as Cin7" in answer


@pytest.mark.parametrize("path", ["/settings/cin7/test", "/settings/cin7/branches"])
def test_a_person_waiting_on_cin7_gets_one_retry_then_the_answer(
    client: FlaskClient, auth: AuthActions, sandbox: SandboxServer, path: str
) -> None:
    auth.login()
    client.post("/settings/cin7", data=form(sandbox))
    sandbox.state.faults.fail_next(503, count=2)
    before = len(sandbox.state.api_calls())

    answer = client.open(path, method="POST" if path.endswith("test") else "GET")

    assert answer.status_code == 200 and "3 branches" not in answer.get_data(as_text=True)
    assert len(sandbox.state.api_calls()) - before == 2
    sandbox.state.faults.fail_next(503, count=1)
    assert "Auckland Warehouse" in client.get("/settings/cin7/branches").get_data(as_text=True)
