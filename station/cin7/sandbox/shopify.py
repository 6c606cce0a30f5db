"""The Shopify module's "update order status" link: a Cin7 web URL, not part of the API."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, request

from station.cin7.sandbox.state import SandboxState

TRIGGER_PATH = "/Cloud/Apps/ShopifyConnector/UpdateOrderStatus"


def shopify_blueprint(state: SandboxState, clock: Callable[[], float]) -> Blueprint:
    """Records each hit on the trigger link (no credentials, no rate limit, no faults)."""
    bp = Blueprint("shopify_trigger", __name__)

    @bp.get(TRIGGER_PATH)
    def update_order_status() -> Response:
        link_id = request.args.get("idCustomerAppsLink", "")
        order_id = request.args.get("OrderId", type=int)
        with state.lock:
            if not link_id or order_id is None or order_id not in state.orders:
                return Response("Unknown order or link", status=404, mimetype="text/plain")
            state.shopify_hits.append({"link_id": link_id, "order_id": order_id, "t": clock()})
        return Response("OK", mimetype="text/plain")

    return bp
