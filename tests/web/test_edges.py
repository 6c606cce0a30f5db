"""Edge values a person or a script can send: a clear 4xx (or the last page), never a 500."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station.extensions import db
from station.inbox.shopify_shops import bind_shop_secret
from station.inbox.tokens import create_token
from station.models import InboxOrder, InboxRule, Role
from station.printing.agents import register_agent
from station.settings import settings_store
from tests.builders import add_order
from tests.conftest import AuthActions
from tests.inbox.samples import SHOPIFY_ORDER, order_json

BIG = 10**30
DEEP = b"[" * 100_000 + b"]" * 100_000


@pytest.fixture
def admin(auth: AuthActions, client: FlaskClient) -> FlaskClient:
    auth.login("admin", role=Role.ADMIN)
    return client


def test_an_id_past_the_id_columns_in_any_url_is_a_404(app: Flask, admin: FlaskClient) -> None:
    checked = 0
    for rule in app.url_map.iter_rules():
        ints = [a for a in rule.arguments if rule._converters[a].regex == r"\d+"]
        if not ints:
            continue
        for number in (BIG, 2**31):  # past SQLite's integers; past PostgreSQL's INTEGER
            values = {a: number if a in ints else "ownlabel" for a in rule.arguments}
            path = rule.build(values, append_unknown=False)[1]  # type: ignore[index]
            for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
                response = admin.open(path, method=method)
                assert response.status_code == 404, (method, path, response.status_code)
                checked += 1
    assert checked > 30


def test_an_api_404_answers_json(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        token = register_agent(db.session, "Bench PC").token
        db.session.commit()

    response = client.post(
        f"/api/v1/agent/jobs/{BIG}", headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 404
    assert response.is_json and response.get_json()["error"]


def test_ids_past_the_id_columns_in_a_query_or_form_are_read_as_missing(
    app: Flask, admin: FlaskClient
) -> None:
    with app.app_context():
        add_order(db.session)
        db.session.commit()

    assert admin.get(f"/printers/queue?printer={BIG}").status_code == 200
    assert admin.get(f"/printers/queue?printer={2**31}").status_code == 200
    assert admin.post("/bench/scan", data={"scan": "99999999999"}).status_code < 500
    assert admin.get(f"/inbox?folder={BIG}").status_code == 200
    assert admin.get(f"/reports?packer={BIG}").status_code == 200
    assert admin.post("/bench/printer", data={"printer_id": str(BIG)}).status_code < 500
    assert admin.post("/bench/items", data={"order_id": str(BIG), "scan": "x"}).status_code < 500
    refused = admin.post("/inbox/move", data={"order_id": ["²", str(BIG)], "folder_id": "1"})
    assert refused.status_code < 500


@pytest.mark.parametrize(
    "path",
    ["/orders", "/consignments", "/audit", "/inbox", "/printers/queue", "/inbox/inventory"],
)
def test_a_page_past_the_end_shows_the_last_page(admin: FlaskClient, path: str) -> None:
    for page in (str(BIG), str(2**62), "99999"):
        response = admin.get(path, query_string={"page": page})
        assert response.status_code == 200, (path, page, response.status_code)


def test_days_at_the_ends_of_the_calendar_are_refused_with_a_sentence(
    admin: FlaskClient,
) -> None:
    for ends in ({"to": "9999-12-31"}, {"from": "0001-01-01", "to": "0001-01-31"}):
        report = admin.get("/reports", query_string=ends)
        assert report.status_code == 422
        assert "is not between 1900-01-01 and 2999-12-31" in report.text
        assert admin.get("/reports/consignments.csv", query_string=ends).status_code == 422
    for day in ("9999-12-31", "0001-01-01"):
        listing = admin.get("/consignments", query_string={"day": day})
        assert listing.status_code == 422 and "is not between" in listing.text
        audit = admin.get("/audit", query_string={"since": day, "until": day})
        assert audit.status_code == 422 and "is not between" in audit.text
        orders = admin.get("/orders", query_string={"from": day, "to": day})
        assert orders.status_code == 200  # the list names the filter it ignored
        assert f"To &#39;{day}&#39; is not between 1900-01-01 and 2999-12-31" in orders.text


@pytest.fixture
def json_routes(app: Flask) -> dict[str, dict[str, Any]]:
    """Each JSON route with the headers that get a body past its authentication."""
    with app.app_context():
        agent = register_agent(db.session, "Bench PC").token
        shop = create_token(db.session, name="Web shop", shop="web").token
        bind_shop_secret(settings_store(db.session), "test.myshopify.com", "shpss_test")
        db.session.commit()
    return {
        "/api/v1/agent/jobs/1": {"Authorization": f"Bearer {agent}"},
        "/api/v1/agent/scale": {"Authorization": f"Bearer {agent}"},
        "/api/v1/orders": {"Authorization": f"Bearer {shop}"},
        "/api/v1/shopify/orders/create": {
            "X-Shopify-Topic": "orders/create",
            "X-Shopify-Shop-Domain": "test.myshopify.com",
        },
    }


def _post(client: FlaskClient, path: str, headers: dict[str, str], body: bytes) -> Any:
    if "X-Shopify-Topic" in headers:
        digest = hmac.new(b"shpss_test", body, hashlib.sha256).digest()
        headers = {
            **headers,
            "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
            "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        }
    return client.post(path, data=body, headers=headers, content_type="application/json")


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (DEEP, "more than 32 levels deep"),
        (b'{"grams": ' + b"9" * 5000 + b', "id": 1}', "more than 100 digits"),
        (b'{"grams": NaN, "id": 1}', "NaN is not a JSON number"),
        (b'{"grams": 1e999, "id": 1}', "too large"),
        (b'{"a": ' * 40 + b"1" + b"}" * 40, "more than 32 levels deep"),
    ],
)
def test_json_that_python_cannot_or_should_not_read_is_a_400_saying_why(
    app: Flask,
    client: FlaskClient,
    json_routes: dict[str, dict[str, str]],
    body: bytes,
    says: str,
) -> None:
    for path, headers in json_routes.items():
        response = _post(client, path, headers, body)
        assert response.status_code == 400, (path, response.status_code, response.text[:200])
        assert response.is_json and says in response.get_json()["error"], (path, response.text)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(InboxOrder)) == 0


def test_ordinary_json_still_goes_through(
    client: FlaskClient, json_routes: dict[str, dict[str, str]]
) -> None:
    import json

    orders = json_routes["/api/v1/orders"]
    assert _post(client, "/api/v1/orders", orders, json.dumps(order_json()).encode()).status_code
    shopify = json_routes["/api/v1/shopify/orders/create"]
    created = _post(
        client, "/api/v1/shopify/orders/create", shopify, json.dumps(SHOPIFY_ORDER).encode()
    )
    assert created.status_code in (200, 201), created.text
    agent = json_routes["/api/v1/agent/scale"]
    scale = _post(client, "/api/v1/agent/scale", agent, b'{"grams": 1234, "stable": true}')
    assert scale.status_code == 200, scale.text


def test_an_agent_report_that_is_not_an_object_is_a_400(
    client: FlaskClient, json_routes: dict[str, dict[str, str]]
) -> None:
    headers = json_routes["/api/v1/agent/jobs/1"]

    response = _post(client, "/api/v1/agent/jobs/1", headers, b'["done"]')

    assert response.status_code == 400 and "JSON object" in response.get_json()["error"]


def test_a_rule_form_with_a_row_count_that_is_not_a_number_still_saves(
    app: Flask, admin: FlaskClient
) -> None:
    response = admin.post(
        "/inbox/rules/new",
        data={
            "name": "Tag big",
            "event": "imported",
            "condition_rows": "nan",
            "condition-0-field": "total",
            "condition-0-operator": "greater_than",
            "condition-0-value": "100",
            "action_rows": "1" + "0" * 30,
            "action-0-action": "add_tag",
            "action-0-argument": "big",
        },
    )

    assert response.status_code == 302, response.text
    with app.app_context():
        rule = db.session.scalar(select(InboxRule))
        assert rule is not None and rule.conditions[0]["value"] == "100"


def test_a_packing_slip_whose_reference_has_quotes_and_accents_downloads(
    app: Flask, admin: FlaskClient
) -> None:
    with app.app_context():
        order = add_order(db.session, reference='SO-"Ōtaki" 5;2')
        db.session.commit()
        order_id = order.id

    response = admin.get(f"/orders/{order_id}/packing-slip.pdf")

    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    disposition = response.headers["Content-Disposition"]
    disposition.encode("latin-1")  # what a WSGI server must be able to send
    assert disposition.startswith("inline;")
    assert "filename*=UTF-8''packing-slip-SO-%22%C5%8Ctaki%22%205%3B2.pdf" in disposition


def test_a_slip_barcode_carries_the_cin7_id_when_the_reference_cannot_be_one(
    app: Flask,
) -> None:
    from datetime import date

    from station.packing import packing_slip

    with app.app_context():
        plain = add_order(db.session)
        accented = add_order(db.session, cin7_id=5002, reference="SO-Ōtaki")

        assert packing_slip(plain, today=date(2026, 12, 1)).code == "SO-5001"
        assert packing_slip(accented, today=date(2026, 12, 1)).code == "5002"
        db.session.rollback()


def test_a_weight_too_large_for_a_float_is_refused_with_a_sentence(bench: FlaskClient) -> None:
    from tests.web.bench import open_order, ship

    _, key = open_order(bench)
    status, page = ship(bench, key, weight="9" * 400)

    assert status == 422, page
    assert "more than one parcel can weigh" in page
