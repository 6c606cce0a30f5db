"""The Cin7 Omni v1 resources: lists, one sales order, and batch writes of sales orders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from station.cin7.sandbox.listing import list_records
from station.cin7.sandbox.state import SandboxState
from station.cin7.sandbox.writes import MAX_BATCH, create_orders, update_orders


def message(text: str, status: int, headers: dict[str, str] | None = None) -> Response:
    """An error answered the way ASP.NET Web API does: ``{"Message": ...}``."""
    response = jsonify({"Message": text})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def api_blueprint(state: SandboxState) -> Blueprint:
    """The ``/api/v1`` routes over ``state`` (credentials, limits and faults are the app's)."""
    bp = Blueprint("cin7_v1", __name__, url_prefix="/api/v1")
    resources: dict[str, Callable[[], list[dict[str, Any]]]] = {
        "salesorders": lambda: list(state.orders.values()),
        "products": lambda: list(state.products.values()),
        "productoptions": lambda: [
            o for p in state.products.values() for o in p.get("productOptions") or []
        ],
        "stock": lambda: list(state.stock),
        "branches": lambda: list(state.branches),
    }

    @bp.get("/<resource>")
    def list_resource(resource: str) -> Response:
        source = resources.get(resource.lower())  # ASP.NET routes ignore letter case
        if source is None:
            return message(f"No HTTP resource was found that matches {request.path}.", 404)
        with state.lock:
            return jsonify(
                list_records(source(), request.args, ties_by_id=not state.unordered_ties)
            )

    @bp.get("/<resource>/<int:order_id>")
    def get_order(resource: str, order_id: int) -> Response:
        if resource.lower() != "salesorders":
            return message(f"No HTTP resource was found that matches {request.path}.", 404)
        with state.lock:
            order = state.orders.get(order_id)
            if order is None:
                return message(f"Sales order {order_id} was not found.", 404)
            return jsonify(order)

    @bp.route("/<resource>", methods=["POST", "PUT"])
    def write_orders(resource: str) -> Response:
        if resource.lower() != "salesorders":
            return message(f"{request.method} is not supported on {request.path}.", 405)
        items = request.get_json(silent=True)
        g.body = items
        if not isinstance(items, list):
            return message("The request body must be a JSON array of sales orders.", 400)
        if len(items) > MAX_BATCH:
            return message(f"At most {MAX_BATCH} sales orders per request.", 400)
        write = create_orders if request.method == "POST" else update_orders
        return jsonify(write(state, items))

    return bp
