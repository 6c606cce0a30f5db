"""The Cin7 Omni v1 resources: lists, one record by id, and batch writes of sales orders."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, g, jsonify, request

from station.cin7.sandbox.contacts import contacts_of
from station.cin7.sandbox.listing import list_records
from station.cin7.sandbox.schema import (
    BRANCH_FIELDS,
    CONTACT_FIELDS,
    ORDER_FIELDS,
    PRODUCT_FIELDS,
    PRODUCT_OPTION_FIELDS,
    STOCK_FIELDS,
)
from station.cin7.sandbox.state import SandboxState
from station.cin7.sandbox.writes import MAX_BATCH, create_orders, update_orders


def message(text: str, status: int, headers: dict[str, str] | None = None) -> Response:
    """An error answered the way ASP.NET Web API does: ``{"Message": ...}``."""
    response = jsonify({"Message": text})
    response.status_code = status
    response.headers.update(headers or {})
    return response


@dataclass(frozen=True, slots=True)
class Resource:
    """A list the API serves: its records, the fields a ``where`` or ``order`` may name,
    and, when it answers ``GET <name>/{id}``, what one record is called in a 404."""

    records: Callable[[], list[dict[str, Any]]]
    fields: tuple[str, ...]
    one: str | None = None
    by_id: Callable[[int], dict[str, Any] | None] | None = None

    def get(self, record_id: int) -> dict[str, Any] | None:
        """The record with this id, if any."""
        if self.by_id is not None:
            return self.by_id(record_id)
        return next((r for r in self.records() if r.get("id") == record_id), None)


def resources_of(state: SandboxState) -> dict[str, Resource]:
    """The v1 resources over ``state``, by lower-cased name (ASP.NET routes ignore case)."""
    return {
        "salesorders": Resource(
            lambda: list(state.orders.values()),
            ORDER_FIELDS,
            "Sales order",
            lambda i: state.orders.get(i),
        ),
        "products": Resource(
            lambda: list(state.products.values()),
            PRODUCT_FIELDS,
            "Product",
            lambda i: state.products.get(i),
        ),
        "productoptions": Resource(
            lambda: [o for p in state.products.values() for o in p.get("productOptions") or []],
            PRODUCT_OPTION_FIELDS,
        ),
        "stock": Resource(lambda: list(state.stock), STOCK_FIELDS),
        "branches": Resource(lambda: list(state.branches), BRANCH_FIELDS, "Branch"),
        "contacts": Resource(lambda: contacts_of(state.orders.values()), CONTACT_FIELDS, "Contact"),
    }


def api_blueprint(state: SandboxState) -> Blueprint:
    """The ``/api/v1`` routes over ``state`` (credentials, limits and faults are the app's)."""
    bp = Blueprint("cin7_v1", __name__, url_prefix="/api/v1")
    resources = resources_of(state)

    @bp.get("/<resource>")
    def list_resource(resource: str) -> Response:
        found = resources.get(resource.lower())
        if found is None:
            return message(f"No HTTP resource was found that matches {request.path}.", 404)
        with state.lock:
            return jsonify(
                list_records(
                    found.records(),
                    request.args,
                    known=found.fields,
                    ties_by_id=not state.unordered_ties,
                )
            )

    @bp.get("/<resource>/<int:record_id>")
    def get_one(resource: str, record_id: int) -> Response:
        found = resources.get(resource.lower())
        if found is None or found.one is None:
            return message(f"No HTTP resource was found that matches {request.path}.", 404)
        with state.lock:
            record = found.get(record_id)
            if record is None:
                return message(f"{found.one} {record_id} was not found.", 404)
            return jsonify(record)

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
