"""Settings → Cin7: the Shopify trigger URL template, its Test button and the environment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape

from station.cin7.sandbox import SandboxServer
from station.cin7.trigger import DEFAULT_TEMPLATE
from station.cin7.wiring import cin7_wiring
from station.extensions import db
from station.models import Role
from tests.conftest import AuthActions
from tests.fakes.cin7_web import Cin7WebApp, cin7_web
from tests.web.forms import form


@pytest.fixture
def sandbox_orders() -> int:
    return 3


@pytest.fixture
def web() -> Iterator[Cin7WebApp]:
    with cin7_web() as app:
        yield app


def template_of(app: Flask) -> str:
    with app.app_context():
        return cin7_wiring().shopify_trigger_template(db.session)


def test_cin7s_link_is_the_default_and_shown(client: FlaskClient, auth: AuthActions) -> None:
    auth.login()

    page = client.get("/settings/cin7").get_data(as_text=True)

    assert str(escape(DEFAULT_TEMPLATE)) in page and "Shopify trigger URL" in page


def test_a_manager_saves_a_template(
    app: Flask, client: FlaskClient, auth: AuthActions, sandbox: SandboxServer, web: Cin7WebApp
) -> None:
    auth.login()

    response = client.post("/settings/cin7", data=form(sandbox, shopify_trigger_url=web.template()))

    assert response.status_code == 302 and template_of(app) == web.template()
    assert web.paths == []


def test_a_bad_template_is_refused_with_a_sentence_per_problem(
    app: Flask, client: FlaskClient, auth: AuthActions, sandbox: SandboxServer
) -> None:
    auth.login()

    response = client.post(
        "/settings/cin7",
        data=form(sandbox, shopify_trigger_url="https://go.cin7.com/Cloud?OrderId={id}"),
    )

    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert str(escape("has no {link_id}: Station puts the idCustomerAppsLink there.")) in text
    assert str(escape("has no {order_id}: Station puts the Cin7 order id there.")) in text
    assert str(escape("{id} in the Shopify trigger URL is not a placeholder")) in text
    assert template_of(app) == DEFAULT_TEMPLATE


def test_the_test_button_checks_the_typed_template_and_sends_nothing(
    client: FlaskClient, auth: AuthActions, sandbox: SandboxServer, web: Cin7WebApp
) -> None:
    auth.login()
    calls = len(sandbox.state.requests)

    good = client.post(
        "/settings/cin7/shopify-trigger/check", data={"shopify_trigger_url": web.template()}
    ).get_data(as_text=True)
    bad = client.post(
        "/settings/cin7/shopify-trigger/check",
        data={"shopify_trigger_url": "http://go.cin7.com/Cloud?a={link_id}&b={order_id}&c={x}"},
    ).get_data(as_text=True)

    assert "The template can be used; nothing was sent" in good
    assert f"http://127.0.0.1:{web.port}/Cloud/Apps" in good and "OrderId=12345" in good
    assert "The idCustomerAppsLink is not set yet" in good
    assert str(escape("{x} in the Shopify trigger URL is not a placeholder Station knows")) in bad
    assert "The template can be used" not in bad
    assert web.paths == [] and len(sandbox.state.requests) == calls


def test_plain_http_elsewhere_than_this_machine_is_refused(
    app_config: dict[str, Any],
) -> None:
    from station import create_app

    app = create_app({**app_config, "CIN7_PRIVATE": False})
    client = app.test_client()
    AuthActions(app, client).login()

    answer = client.post(
        "/settings/cin7/shopify-trigger/check",
        data={"shopify_trigger_url": "http://127.0.0.1:9/x?a={link_id}&b={order_id}"},
    ).get_data(as_text=True)

    assert "must start with https://" in answer and "STATION_CIN7_PRIVATE=1" in answer


def test_the_environment_wins_over_the_setting(
    app_config: dict[str, Any], sandbox: SandboxServer, web: Cin7WebApp
) -> None:
    from station import create_app

    app = create_app({**app_config, "CIN7_SHOPIFY_TRIGGER_URL": web.template("/from-env")})
    client = app.test_client()
    AuthActions(app, client).login()

    saved = client.post(
        "/settings/cin7", data=form(sandbox, shopify_trigger_url="https://typed.example/{oops}")
    )
    page = client.get("/settings/cin7").get_data(as_text=True)
    check = client.post(
        "/settings/cin7/shopify-trigger/check", data={"shopify_trigger_url": "nonsense"}
    ).get_data(as_text=True)

    assert saved.status_code == 302 and template_of(app) == web.template("/from-env")
    assert "STATION_CIN7_SHOPIFY_TRIGGER_URL" in page
    assert "/from-env" in check and "The template can be used" in check


def test_packers_may_not_check_the_trigger(client: FlaskClient, auth: AuthActions) -> None:
    auth.login(username="packer", role=Role.PACKER)

    response = client.post(
        "/settings/cin7/shopify-trigger/check", data={"shopify_trigger_url": DEFAULT_TEMPLATE}
    )

    assert response.status_code == 403
