"""``POST /api/v1/orders``: token auth, clear refusals, idempotent on the shop's order id."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station.cin7.sandbox import SandboxServer
from station.db import utcnow
from station.extensions import db
from station.inbox.tokens import create_token, revoke_token
from station.models import ApiToken, InboxEvent, InboxOrder
from tests.inbox.samples import order_json


@pytest.fixture
def token(app: Flask) -> str:
    with app.app_context():
        new = create_token(db.session, name="Web shop", shop="web")
        db.session.commit()
        return new.token


def post(client: FlaskClient, token: str, body: Any, **kwargs: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}", **kwargs.pop("headers", {})}
    if isinstance(body, (bytes, str)):
        return client.post(
            "/api/v1/orders", data=body, headers=headers, content_type="application/json", **kwargs
        )
    return client.post("/api/v1/orders", json=body, headers=headers, **kwargs)


def stored(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(InboxOrder)) or 0


def test_a_new_order_is_kept_and_answered_201(app: Flask, client: FlaskClient, token: str) -> None:
    response = post(client, token, order_json())

    assert response.status_code == 201
    body = response.get_json()
    assert (body["shop"], body["shop_order_id"], body["order_number"], body["folder"]) == (
        "web",
        "1001",
        "#1001",
        "New",
    )
    assert body["created_at"].endswith("Z")  # an API: UTC with Z
    assert response.headers["Location"] == f"/inbox/orders/{body['id']}"
    with app.app_context():
        order = db.session.get(InboxOrder, body["id"])
        assert order is not None and order.source_payload == order_json()
        assert db.session.scalar(select(ApiToken.last_used_at)) is not None


def test_the_same_order_again_answers_200_with_the_same_order(
    app: Flask, client: FlaskClient, token: str
) -> None:
    first = post(client, token, order_json()).get_json()

    again = post(client, token, order_json())

    assert again.status_code == 200 and again.get_json()["id"] == first["id"]
    assert stored(app) == 1


def test_other_content_under_the_same_id_is_a_409_and_keeps_the_first(
    app: Flask, client: FlaskClient, token: str
) -> None:
    first = post(client, token, order_json()).get_json()

    response = post(client, token, order_json(currency="AUD"))

    assert response.status_code == 409
    body = response.get_json()
    assert "already in the inbox (as #1001) with different content" in body["error"]
    assert body["order"]["id"] == first["id"]
    with app.app_context():
        assert db.session.scalar(select(InboxOrder.currency_code)) == "NZD"
        assert db.session.scalar(select(func.count()).select_from(InboxEvent)) == 1


def test_missing_and_bad_fields_are_a_422_naming_each_field(
    app: Flask, client: FlaskClient, token: str
) -> None:
    response = post(client, token, order_json(id=None, lines=[{"sku": "MUG-SAND"}]))

    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "id": ["is required (the shop's own order id)"],
        "lines[0].quantity": ["must be a whole number from 1 to 1,000,000"],
    }
    assert stored(app) == 0


def test_a_branch_cin7_does_not_have_is_a_422(
    app: Flask, client: FlaskClient, token: str, sandbox: SandboxServer
) -> None:
    response = post(client, token, order_json(checkout={"BranchId": 42}))

    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "checkout.BranchId": ["is not a branch in Cin7 (no branch has id 42)"]
    }
    assert stored(app) == 0
    assert post(client, token, order_json(checkout={"BranchId": 3})).status_code == 201


def test_a_dispatched_date_past_the_calendar_in_utc_is_a_422(
    app: Flask, client: FlaskClient, token: str
) -> None:
    late = order_json(checkout={"DispatchedDate": "0001-01-01T00:00:00+14:00"})

    response = post(client, token, late)

    assert response.status_code == 422
    assert response.get_json()["errors"] == {
        "checkout.DispatchedDate": ["must be a date such as 2026-05-01 or 2026-05-01T14:30:00Z"]
    }
    assert stored(app) == 0


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ('{"id": "1001", "lines": [', 400, "The body is not valid JSON: Expecting value"),
        (b"\xff\xfe{}", 400, "not UTF-8 text"),
        ("[]", 422, "The order has 1 problem: order must be a JSON object"),
        ("x" * (1024 * 1024 + 1), 413, "larger than 1024 KB"),
    ],
)
def test_a_body_that_is_not_one_json_order_is_refused_clearly(
    app: Flask, client: FlaskClient, token: str, body: str | bytes, status: int, message: str
) -> None:
    response = post(client, token, body)

    assert response.status_code == status
    assert message in response.get_json()["error"]
    assert stored(app) == 0


def test_json_is_required(client: FlaskClient, token: str) -> None:
    response = client.post(
        "/api/v1/orders",
        data=json.dumps(order_json()),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "text/plain"},
    )

    assert response.status_code == 415 and "application/json" in response.get_json()["error"]


def test_an_unknown_or_revoked_token_is_a_401(app: Flask, client: FlaskClient, token: str) -> None:
    with app.app_context():
        row = db.session.scalar(select(ApiToken))
        assert row is not None
        revoke_token(row, now=utcnow())
        db.session.commit()

    for headers in ({}, {"Authorization": f"Bearer {token}"}, {"Authorization": "Bearer nope"}):
        response = client.post("/api/v1/orders", json=order_json(), headers=headers)

        assert response.status_code == 401
        assert "Unknown or revoked API token" in response.get_json()["error"]
    assert stored(app) == 0
