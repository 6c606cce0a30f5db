"""One person's clicks cannot spend the Cin7 budget every app on the account shares."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from station import create_app
from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.models import Role
from tests.conftest import REDIS_URL, AuthActions
from tests.fakes.cin7 import sandbox_config
from tests.services import _redis
from tests.web.conftest import signed_in


@pytest.fixture
def sandbox_orders() -> int:
    return 5


@pytest.fixture
def app_config(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
    return {**app_config, **sandbox_config(sandbox)}


def _ask_why(browser: FlaskClient, n: int) -> Any:
    return browser.get(f"/orders/why-missing?q=SO-NOPE-{n}", headers={"HX-Request": "true"})


def test_a_packer_asking_a_hundred_times_spends_only_the_allowance(
    app: Flask, client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    auth.login("packer", role=Role.PACKER)

    answers = [_ask_why(client, n) for n in range(100)]

    assert len(sandbox.state.api_calls()) == 20  # the default: 20 lookups in 10 minutes
    assert [a.status_code for a in answers[:20]] == [200] * 20
    assert {a.status_code for a in answers[20:]} == {429}
    refusal = answers[20].get_data(as_text=True)
    assert re.search(
        r"You have looked up 20 orders in Cin7 in the last 10 minutes; "
        r"try again in (\d+ minutes?|\d+ seconds?)\.",
        refusal,
    ), refusal
    assert int(answers[20].headers["Retry-After"]) > 0


def test_another_person_is_not_held_back_by_a_spent_allowance(
    app: Flask, client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    auth.login("packer", role=Role.PACKER)
    for n in range(21):
        _ask_why(client, n)
    other = signed_in(app, "packer2", Role.PACKER)

    answer = _ask_why(other, 99)

    assert answer.status_code == 200
    assert "Cin7 has no sales order &#39;SO-NOPE-99&#39;." in answer.get_data(as_text=True)
    assert len(sandbox.state.api_calls()) == 21


def test_a_refused_page_action_answers_429_with_the_sentence(
    app: Flask, client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    auth.login("packer", role=Role.PACKER)
    answers = [client.post("/orders/sync") for _ in range(7)]

    assert [a.status_code for a in answers[:6]] == [302] * 6
    assert answers[6].status_code == 429
    page = answers[6].get_data(as_text=True)
    assert "You have started 6 Cin7 syncs or checks in the last hour; try again in" in page


@pytest.mark.parametrize("shared", ["database", "redis"])
def test_two_web_workers_count_the_same_uses(
    app_config: dict[str, Any], sandbox: SandboxServer, shared: str
) -> None:
    config = {**app_config, "CIN7_LOOKUP_ALLOWANCE": "2/10"}
    if shared == "redis":
        _redis()
        config |= {"REDIS_URL": REDIS_URL, "REDIS_PREFIX": f"station-test-{uuid.uuid4().hex[:8]}"}
    first, second = create_app(config), create_app(config)  # as two gunicorn workers would be
    AuthActions(first, first.test_client()).create("packer", role=Role.PACKER)
    browsers = [signed_in(worker, "packer", Role.PACKER) for worker in (first, second)]

    statuses = [_ask_why(browsers[n % 2], n).status_code for n in range(4)]

    assert statuses == [200, 200, 429, 429]
    assert len(sandbox.state.api_calls()) == 2
    for worker in (first, second):
        with worker.app_context():
            db.engine.dispose()
