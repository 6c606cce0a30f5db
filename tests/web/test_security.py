"""Sweeps over every route: CSRF on every POST, login on every page, roles, escaping, secrets.

The routes come from the app's URL map, so a page added later is covered without
touching this file; only the short list of what a packer may use is written down.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.routing import Rule

from station import create_app
from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.models import Printer, Role
from tests.builders import add_order
from tests.conftest import AuthActions
from tests.web.bench import open_order, ship

# The token-authenticated print-agent API is for bench PCs, not browsers: no session, no CSRF.
API_PREFIX = "/api/"
# Load balancers and Prometheus ask these without a session (metrics may want a bearer token).
MONITORING_PATHS = {"/healthz", "/metrics"}
# Pages and actions of the bench and the read-only order views: everything a packer needs.
PACKER_ENDPOINTS = {
    "auth.home",
    "bench.index",
    "bench.choose_printer",
    "bench.scan",
    "bench.ship",
    "bench.queue",
    "bench.release",
    "bench.void",
    "bench.verify_items",
    "bench.count_item",
    "bench.reprint",
    "bench.rates",
    "consignments.index",
    "consignments.reprint",
    "consignments.void",
    "printers.queue",
    "printers.retry",
    "orders.index",
    "orders.show",
    "orders.packing_slip",
    "orders.why_missing",
    "orders.sync_now",
    "orders.sync_status",
    "orders.refresh",
    "printers.index",
    "printers.job_status",
    "printers.job_preview",
    "printers.reprint_job",
    "printers.test_print",
}
# Every signed-in person manages their own account.
EVERYONE_PREFIXES = ("auth.", "account.")
# Users and roles are for admins only.
ADMIN_PREFIXES = ("users.",)
HOSTILE = "<script>alert('x')</script>"


def routes(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Every (rule, method) a browser can call: static files, the agent API and the
    monitoring endpoints aside."""
    for rule in app.url_map.iter_rules():
        if (
            rule.endpoint == "static"
            or rule.rule.startswith(API_PREFIX)
            or rule.rule in MONITORING_PATHS
        ):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def path_of(rule: Rule, ids: dict[str, Any] | None = None) -> str:
    """The rule's URL with each argument filled (``ids`` first, else 1 or ``ownlabel``)."""
    ids = ids or {}
    values = {
        arg: ids.get(arg, 1 if rule._converters[arg].regex == r"\d+" else "ownlabel")
        for arg in rule.arguments
    }
    return rule.build(values, append_unknown=False)[1]  # type: ignore[index]


def call(client: FlaskClient, method: str, path: str, **kwargs: Any) -> Any:
    return client.open(path, method=method, **kwargs)


def test_every_route_but_sign_in_needs_a_signed_in_user(app: Flask, client: FlaskClient) -> None:
    checked = []
    for rule, method in routes(app):
        if rule.endpoint == "auth.login":
            continue
        response = call(client, method, path_of(rule), follow_redirects=True)
        assert response.request.path == "/login", (rule.rule, method, response.status_code)
        assert "Sign in" in response.get_data(as_text=True), rule.rule
        checked.append(rule.rule)

    assert len(checked) > 30  # the sweep really walked the map


def test_the_agent_api_needs_its_token(client: FlaskClient, app: Flask) -> None:
    api = [r for r in app.url_map.iter_rules() if r.rule.startswith(API_PREFIX)]

    for rule in api:
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            assert call(client, method, path_of(rule)).status_code == 401, rule.rule
    assert api


def test_the_monitoring_endpoints_answer_without_a_session_and_only_read(
    app: Flask, client: FlaskClient
) -> None:
    monitoring = {r.rule: r.methods for r in app.url_map.iter_rules() if r.rule in MONITORING_PATHS}

    assert set(monitoring) == MONITORING_PATHS
    assert all(methods == {"GET", "HEAD", "OPTIONS"} for methods in monitoring.values())
    health, metrics = client.get("/healthz"), client.get("/metrics")
    assert health.status_code == 200 and health.get_json() == {"status": "ok"}
    assert metrics.status_code == 200 and "# TYPE station_outbox_items gauge" in metrics.text
    assert "Set-Cookie" not in health.headers and "Set-Cookie" not in metrics.headers


def test_every_post_without_a_csrf_token_is_refused(app_config: dict[str, Any]) -> None:
    app = create_app({**app_config, "WTF_CSRF_ENABLED": True})
    client = app.test_client()
    AuthActions(app, client).create("admin", role=Role.ADMIN)
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page)
    assert token, login_page
    signed_in = client.post(
        "/login",
        data={"username": "admin", "password": "correct horse", "csrf_token": token.group(1)},
    )
    assert signed_in.status_code == 302

    posts = [(rule, method) for rule, method in routes(app) if method != "GET"]
    for rule, method in posts:
        response = call(client, method, path_of(rule), data={"anything": "1"})
        assert response.status_code == 400, (rule.rule, response.status_code)
        assert "expired" in response.get_data(as_text=True), rule.rule
    assert len(posts) > 20


def test_a_packer_is_refused_every_manager_route(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("packer", role=Role.PACKER)
    refused = []
    for rule, method in routes(app):
        if rule.endpoint in PACKER_ENDPOINTS or rule.endpoint.startswith(EVERYONE_PREFIXES):
            continue
        response = call(client, method, path_of(rule), data={})
        assert response.status_code == 403, (rule.rule, method, response.status_code)
        refused.append(rule.endpoint)

    assert {"settings.cin7", "bulk.create", "outbox.index", "manifests.close"} <= set(refused)


def test_a_manager_reaches_every_manager_page(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("manager", role=Role.MANAGER)

    for rule, method in routes(app):
        if method != "GET" or rule.arguments or rule.endpoint.startswith(ADMIN_PREFIXES):
            continue
        response = call(client, method, path_of(rule))
        # 200, a redirect, or a clear 4xx for a missing query argument: never refused or broken
        assert response.status_code not in (401, 403), (rule.rule, response.status_code)
        assert response.status_code < 500, (rule.rule, response.status_code)


def test_a_manager_is_refused_every_admin_route(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    auth.login("manager", role=Role.MANAGER)
    refused = []
    for rule, method in routes(app):
        if rule.endpoint.startswith(ADMIN_PREFIXES):
            response = call(client, method, path_of(rule), data={})
            assert response.status_code == 403, (rule.rule, method, response.status_code)
            refused.append(rule.endpoint)

    assert refused


@pytest.fixture
def hostile(app: Flask, client: FlaskClient, auth: AuthActions) -> dict[str, Any]:
    """A shipped order whose every text field carries markup, seen by a signed-in manager."""
    with app.app_context():
        db.session.add(
            Printer(name=f"Bench {HOSTILE}", spec={"format": "zpl", "transport": "memory"})
        )
        order = add_order(
            db.session,
            delivery_first_name=HOSTILE,
            delivery_last_name='"><img src=x onerror=alert(1)>',
            delivery_company=HOSTILE,
            delivery_address1=f"1 {HOSTILE} Street",
            delivery_city="Auckland",
            email="x@example.com",
            internal_comments=HOSTILE,
        )
        order.lines[0].name = HOSTILE
        db.session.commit()
        order_id = order.id
    auth.login("manager", role=Role.MANAGER)
    _, key = open_order(client)
    status, page = ship(client, key)
    assert status == 200, page
    return {"order_id": order_id, "consignment_id": 1, "job_id": 1, "printer_id": 1}


def test_markup_in_order_data_is_escaped_on_every_page(
    app: Flask, client: FlaskClient, hostile: dict[str, Any]
) -> None:
    again = client.post("/bench/scan", data={"scan": "SO-5001"}).get_data(as_text=True)
    assert "SO-5001 is already shipped" in again  # the bench shows its consignment, escaped
    assert "<script>alert" not in again and "onerror=alert(1)>" not in again
    seen = 0
    for rule, method in routes(app):
        if method != "GET":
            continue
        response = call(client, method, path_of(rule, hostile))
        assert response.headers["X-Content-Type-Options"] == "nosniff", rule.rule
        if response.mimetype != "text/html":
            continue  # raw ZPL, PDFs and images: never read as HTML; label tests check them
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy, rule.rule  # no inline script, no eval
        body = response.get_data(as_text=True)
        assert "<script>alert" not in body, rule.rule
        assert "onerror=alert" not in body.replace("onerror=alert(1)&gt;", ""), rule.rule
        seen += "&lt;script&gt;alert" in body

    assert seen >= 2  # the order list and the order page at least show the text, escaped


def test_the_api_key_never_appears_in_a_page_or_a_log_line(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    sandbox: SandboxServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "sk-live-0123456789abcdef-NEVER-SHOWN"
    auth.login("admin", role=Role.ADMIN)
    caplog.set_level(logging.DEBUG)
    saved = client.post(
        "/settings/cin7",
        data={
            "base_url": sandbox.base_url,  # which refuses this key: every call fails
            "username": "station",
            "api_key": secret,
            "window_days": "14",
        },
    )
    assert saved.status_code == 302
    pages = [client.post("/settings/cin7/test"), client.post("/orders/sync")]
    for rule, method in routes(app):
        if method == "GET" and not rule.arguments:
            pages.append(call(client, method, path_of(rule)))

    for page in pages:
        assert secret not in page.get_data(as_text=True)
    assert "refused the API username/key" in pages[0].get_data(as_text=True)
    assert secret not in caplog.text
    assert caplog.records  # the failed calls were logged, without the key
