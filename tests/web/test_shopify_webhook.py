"""Shopify's ``orders/create`` webhook: only signed bodies get in, each order once."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station.extensions import db
from station.inbox.shopify_shops import bind_shop_secret
from station.models import InboxOrder, ShopifyDelivery
from station.settings import settings_store
from tests.inbox.builders import sign
from tests.inbox.samples import SHOPIFY_ORDER

SECRET = "shpss_0123456789abcdef"
SHOP = "kete-co.myshopify.com"
OTHER_SHOP = "other-co.myshopify.com"
URL = "/api/v1/shopify/orders/create"


@pytest.fixture
def secret(app: Flask) -> str:
    with app.app_context():
        bind_shop_secret(settings_store(db.session), SHOP, SECRET)
        db.session.commit()
    return SECRET


def deliver(client: FlaskClient, body: bytes, **headers: str) -> Any:
    sent = {
        "X-Shopify-Hmac-Sha256": sign(body, SECRET),
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Shop-Domain": SHOP,
        "X-Shopify-Webhook-Id": str(uuid.uuid4()),
        **headers,
    }
    return client.post(URL, data=body, headers=sent, content_type="application/json")


def stored(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(InboxOrder)) or 0


def test_a_signed_order_is_kept_with_its_payload(
    app: Flask, client: FlaskClient, secret: str
) -> None:
    body = json.dumps(SHOPIFY_ORDER).encode()

    response = deliver(client, body)

    assert response.status_code == 201
    with app.app_context():
        order = db.session.scalar(select(InboxOrder))
        assert order is not None
        assert (order.shop, order.shop_order_id, order.reference, order.source) == (
            SHOP,
            "820982911946154508",
            "#9999",
            "shopify",
        )
        assert order.source_payload == SHOPIFY_ORDER
        assert order.checkout == {"cin7_ship_method": "CourierPost Overnight", "BranchId": "2"}


def test_shopify_delivering_the_same_order_twice_keeps_one(
    app: Flask, client: FlaskClient, secret: str
) -> None:
    body = json.dumps(SHOPIFY_ORDER).encode()

    first, again = deliver(client, body), deliver(client, body)

    assert (first.status_code, again.status_code) == (201, 200)
    assert stored(app) == 1


def test_a_wrong_signature_is_a_401_and_stores_nothing(
    app: Flask, client: FlaskClient, secret: str
) -> None:
    body = json.dumps(SHOPIFY_ORDER).encode()

    wrong = deliver(client, body, **{"X-Shopify-Hmac-Sha256": sign(body + b" ", SECRET)})
    missing = client.post(
        URL, data=body, headers={"X-Shopify-Shop-Domain": SHOP}, content_type="application/json"
    )

    for response in (wrong, missing):
        assert response.status_code == 401
        assert "signature does not match" in response.get_json()["error"]
    assert stored(app) == 0


def test_without_a_secret_in_settings_nothing_gets_in(app: Flask, client: FlaskClient) -> None:
    response = deliver(client, json.dumps(SHOPIFY_ORDER).encode())

    assert response.status_code == 401 and stored(app) == 0


@pytest.mark.parametrize(
    ("headers", "status", "message"),
    [
        (
            {"X-Shopify-Topic": "orders/updated"},
            400,
            "takes orders/create webhooks, not orders/updated",
        ),
        # No shop, no secret to check the signature with: not authenticated.
        ({"X-Shopify-Shop-Domain": ""}, 401, "X-Shopify-Shop-Domain is missing"),
    ],
)
def test_another_topic_is_a_400_and_no_shop_a_401(
    app: Flask,
    client: FlaskClient,
    secret: str,
    headers: dict[str, str],
    status: int,
    message: str,
) -> None:
    response = deliver(client, json.dumps(SHOPIFY_ORDER).encode(), **headers)

    assert response.status_code == status and message in response.get_json()["error"]
    assert stored(app) == 0


def test_a_signed_order_without_a_shipping_address_is_a_422(
    app: Flask, client: FlaskClient, secret: str
) -> None:
    body = json.dumps({**SHOPIFY_ORDER, "shipping_address": None}).encode()

    response = deliver(client, body)

    assert response.status_code == 422
    assert response.get_json()["errors"] == {"shipping_address": ["is required"]}
    assert stored(app) == 0


def test_the_same_signed_body_for_another_shop_is_refused(
    app: Flask, client: FlaskClient, secret: str
) -> None:
    body = json.dumps(SHOPIFY_ORDER).encode()
    with app.app_context():
        bind_shop_secret(settings_store(db.session), OTHER_SHOP, "shpss_other_shop_secret")
        db.session.commit()

    first = deliver(client, body)
    replays = [
        deliver(client, body, **{"X-Shopify-Shop-Domain": shop})
        for shop in (OTHER_SHOP, "third-co.myshopify.com")
    ]

    assert first.status_code == 201
    for replay in replays:
        assert replay.status_code == 401
        assert "signature does not match" in replay.get_json()["error"]
    assert stored(app) == 1


def test_a_webhook_id_seen_before_is_answered_200_and_creates_nothing(
    app: Flask, client: FlaskClient, secret: str
) -> None:
    body = json.dumps(SHOPIFY_ORDER).encode()
    other = json.dumps({**SHOPIFY_ORDER, "id": 1, "name": "#1"}).encode()
    webhook_id = {"X-Shopify-Webhook-Id": "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"}

    first = deliver(client, body, **webhook_id)
    again = deliver(client, other, **{**webhook_id, "X-Shopify-Hmac-Sha256": sign(other, SECRET)})

    assert (first.status_code, again.status_code) == (201, 200)
    assert "already received" in again.get_json()["message"]
    assert stored(app) == 1


def test_a_delivery_without_a_webhook_id_is_a_400(
    app: Flask, client: FlaskClient, secret: str
) -> None:
    response = deliver(client, json.dumps(SHOPIFY_ORDER).encode(), **{"X-Shopify-Webhook-Id": ""})

    assert response.status_code == 400
    assert "X-Shopify-Webhook-Id" in response.get_json()["error"]
    assert stored(app) == 0


@pytest.mark.both_databases
def test_a_refused_delivery_leaves_no_trace_on_either_database(
    app: Flask, client: FlaskClient, secret: str
) -> None:
    # On SQLite a savepoint opened before any write used to be the whole transaction, so
    # the webhook id claimed for a delivery refused later (409) was committed anyway.
    assert deliver(client, json.dumps(SHOPIFY_ORDER).encode()).status_code == 201

    changed = deliver(client, json.dumps({**SHOPIFY_ORDER, "note": "Changed"}).encode())

    assert changed.status_code == 409, changed.text
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ShopifyDelivery)) == 1
