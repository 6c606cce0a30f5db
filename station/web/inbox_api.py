"""The inbox's JSON endpoints for shops: orders and inventory (bearer token), Shopify (HMAC).

Neither uses cookies, so CSRF does not apply (the blueprint is exempt); each request is
authenticated by its token or signature instead. Every refusal is JSON with an ``error``
sentence, and nothing is stored unless the whole order is.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for

from station.cin7.wiring import cin7_wiring
from station.db import utcnow
from station.extensions import csrf, db
from station.inbox.branches import BranchCheck
from station.inbox.errors import OrderConflict, OrderInvalid
from station.inbox.intake import receive_order
from station.inbox.inventory import inventory
from station.inbox.options import LAST_INVENTORY_SYNC_KEY, load_options
from station.inbox.orders import read_order
from station.inbox.shopify import TOPIC, order_from_shopify, signature_valid
from station.inbox.shopify_shops import delivery_seen, shop_secret, webhook_id_problem
from station.inbox.tokens import shop_problem, use_token
from station.jobs import jobs
from station.models import InboxOrder, InboxSource
from station.settings import settings_store
from station.sitetime import iso_utc
from station.web import jsonbody
from station.web.access import bearer_token

log = logging.getLogger(__name__)

bp = Blueprint("inbox_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)

MAX_ORDER_BYTES = 1024 * 1024  # one order; a 500-line order is well under 200 KB
UNKNOWN_TOKEN = "Unknown or revoked API token. Send Authorization: Bearer <token>."


class _Refused(Exception):
    """Answer the request with ``status`` and this JSON body."""

    def __init__(self, status: int, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": message, **extra}


@bp.errorhandler(_Refused)
def refused(exc: _Refused) -> Response:
    db.session.rollback()
    response = jsonify(exc.body)
    response.status_code = exc.status
    return response


@bp.post("/orders")
def create_order() -> Response:
    """Take one order from a shop; 201 when new, 200 when the same order came before."""
    now = utcnow()
    shop = use_token(bearer_token(), now=now)
    if shop is None:
        raise _Refused(401, UNKNOWN_TOKEN)
    if not request.is_json:
        raise _Refused(415, "Send the order as JSON (Content-Type: application/json).")
    data = _json(_body())
    return _take(data, shop=shop, source=InboxSource.API, payload=data, now=now)


@bp.get("/inventory")
def inventory_levels() -> Response:
    """What shops may sell per SKU and branch (``?sku=`` for one SKU), and when it was read."""
    if use_token(bearer_token(), now=utcnow()) is None:
        raise _Refused(401, UNKNOWN_TOKEN)
    store = settings_store(db.session)
    options = load_options(store)
    items = [
        {
            "sku": level.sku,
            "branch_id": level.branch_id,
            "branch": level.branch_name,
            "available": float(level.available),
        }
        for level in inventory(db.session, options, sku=request.args.get("sku", "")[:128])
    ]
    last = store.get(LAST_INVENTORY_SYNC_KEY) or {}
    return jsonify(
        {
            "synced_at": last.get("at"),
            "includes_incoming": options.inventory_include_incoming,
            "less_holding": options.inventory_subtract_holding,
            "items": items,
        }
    )


@bp.post("/shopify/orders/create")
def shopify_order_created() -> Response:
    """Shopify's ``orders/create`` webhook, checked against the secret bound to its shop.

    A delivery whose ``X-Shopify-Webhook-Id`` was taken before answers 200 and does nothing,
    which is what stops Shopify sending it again.
    """
    now = utcnow()
    body = _body()
    shop = request.headers.get("X-Shopify-Shop-Domain", "").strip().lower()
    problem = shop_problem(shop)
    if problem:
        # Without a shop there is no secret to check the signature with: not authenticated.
        raise _Refused(401, f"X-Shopify-Shop-Domain is missing or not a shop: {problem}")
    secret = shop_secret(settings_store(db.session), shop) or ""
    if not secret:
        log.warning("refused a Shopify webhook for %s: no signing secret is bound to it", shop)
    if not signature_valid(secret, body, request.headers.get("X-Shopify-Hmac-Sha256", "")):
        raise _Refused(
            401, f"The X-Shopify-Hmac-Sha256 signature does not match this body for shop {shop}."
        )
    topic = request.headers.get("X-Shopify-Topic", "")
    if topic != TOPIC:
        raise _Refused(400, f"This address takes {TOPIC} webhooks, not {topic or 'no topic'}.")
    webhook_id = request.headers.get("X-Shopify-Webhook-Id", "").strip()
    problem = webhook_id_problem(webhook_id)
    if problem:
        raise _Refused(400, problem)
    if delivery_seen(db.session, webhook_id):
        return _already_received(webhook_id)
    data = _json(body)
    return _take(
        order_from_shopify(data),
        shop=shop,
        source=InboxSource.SHOPIFY,
        payload=data,
        now=now,
        webhook_id=webhook_id,
    )


def _already_received(webhook_id: str) -> Response:
    log.info("Shopify webhook %s was already received; nothing done again", webhook_id)
    db.session.rollback()
    return jsonify({"message": f"Webhook {webhook_id} was already received; nothing was done."})


def _body() -> bytes:
    """The raw body, refused with 413 past ``MAX_ORDER_BYTES`` (also when sent chunked)."""
    if (request.content_length or 0) > MAX_ORDER_BYTES:
        raise _Refused(413, _too_big())
    body = request.stream.read(MAX_ORDER_BYTES + 1)
    if len(body) > MAX_ORDER_BYTES:
        raise _Refused(413, _too_big())
    return body


def _too_big() -> str:
    return f"The body is larger than {MAX_ORDER_BYTES // 1024} KB; send one order per request."


def _json(body: bytes) -> Any:
    try:
        return jsonbody.loads(body)
    except jsonbody.BodyInvalid as exc:
        raise _Refused(400, str(exc)) from None


def _take(
    data: Any,
    *,
    shop: str,
    source: InboxSource,
    payload: Any,
    now: datetime,
    webhook_id: str | None = None,
) -> Response:
    try:
        draft = read_order(data, branch_known=BranchCheck.using(cin7_wiring(), db.session, now=now))
    except OrderInvalid as exc:
        raise _Refused(422, str(exc), errors=exc.problems) from None
    # The delivery is claimed only now, next to the order it commits with: the branch
    # check above may call Cin7, and SQLite must not hold a write lock across that.
    try:
        intake = receive_order(
            draft,
            shop=shop,
            source=source,
            payload=payload,
            now=now,
            jobs=jobs(),
            webhook_id=webhook_id,
        )
    except OrderConflict as exc:
        raise _Refused(409, str(exc), order=_describe(exc.order)) from None
    if intake is None:
        return _already_received(webhook_id or "")
    response = jsonify(_describe(intake.order))
    response.status_code = 201 if intake.created else 200
    response.headers["Location"] = url_for("inbox.show", order_id=intake.order.id)
    return response


def _describe(order: InboxOrder) -> dict[str, Any]:
    return {
        "id": order.id,
        "shop": order.shop,
        "shop_order_id": order.shop_order_id,
        "order_number": order.reference,
        "folder": order.folder.name,
        "cin7_id": order.cin7_id,
        "created_at": iso_utc(order.created_at),
    }
