"""Behind a reverse proxy: X-Forwarded-For decides the client address only when configured."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station import create_app
from station.extensions import db
from station.models import FailedSignIn
from tests.conftest import AuthActions

ATTACKER, COLLEAGUE = "203.0.113.7", "198.51.100.20"


def fail_sign_ins(client: FlaskClient, forwarded_for: str, times: int) -> int:
    """Sign in with a wrong password ``times`` times; the last answer's status."""
    status = 0
    for _ in range(times):
        status = client.post(
            "/login",
            data={"username": "manager", "password": "wrong"},
            headers={"X-Forwarded-For": forwarded_for},
        ).status_code
    return status


def addresses(app: Flask) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(select(FailedSignIn.address)))


def sign_in_from(client: FlaskClient, forwarded_for: str) -> int:
    return client.post(
        "/login",
        data={"username": "manager", "password": "correct horse"},
        headers={"X-Forwarded-For": forwarded_for},
    ).status_code


class TestBehindOneProxy:
    @pytest.fixture
    def app_config(self, app_config: dict[str, Any]) -> dict[str, Any]:
        return {**app_config, "PROXY_FIX": 1}

    def test_the_lockout_counts_the_forwarded_client_address(
        self, app: Flask, client: FlaskClient, auth: AuthActions
    ) -> None:
        auth.create()

        assert fail_sign_ins(client, ATTACKER, 5) == 429
        assert addresses(app) == {ATTACKER}
        assert sign_in_from(client, COLLEAGUE) == 302  # another address is not locked out

    def test_only_the_address_the_proxy_added_is_trusted(
        self, app: Flask, client: FlaskClient, auth: AuthActions
    ) -> None:
        auth.create()

        fail_sign_ins(client, f"10.0.0.1, {ATTACKER}", 1)  # the client forged the first

        assert addresses(app) == {ATTACKER}


def test_without_the_setting_forwarded_headers_are_ignored(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.create()

    assert fail_sign_ins(client, ATTACKER, 5) == 429
    assert addresses(app) == {"127.0.0.1"}  # the test client's own address
    assert sign_in_from(client, COLLEAGUE) == 429  # a forged header does not escape the lockout


@pytest.mark.parametrize("value", [-1, "two", 1.5])
def test_a_proxy_count_that_is_not_a_whole_number_stops_start_up(
    app_config: dict[str, Any], value: object
) -> None:
    with pytest.raises(ValueError, match="PROXY_FIX must be"):
        create_app({**app_config, "PROXY_FIX": value})
