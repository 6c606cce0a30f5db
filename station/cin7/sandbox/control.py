"""``/_sandbox``: controls for tests that run the sandbox as a separate process.

They need no credentials, spend no rate limit and are not logged: they are the test
talking to its fake, not Station talking to Cin7.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, jsonify, request

from station.cin7.sandbox.schema import parse_date
from station.cin7.sandbox.state import Faults, SandboxState

FAULT_KINDS = ("clear", "fail_next", "malformed_next", "slow_next", "fail_items", "random")


class ControlError(ValueError):
    """A control request the sandbox cannot act on (answered 400)."""


def control(state: SandboxState) -> Blueprint:
    """A blueprint that reads the request log, switches faults, and edits and dispatches orders."""
    bp = Blueprint("sandbox_control", __name__, url_prefix="/_sandbox")

    @bp.errorhandler(ControlError)
    def bad_control(exc: ControlError) -> Response:
        response = jsonify({"Message": str(exc)})
        response.status_code = 400
        return response

    @bp.get("/requests")
    def requests_log() -> Response:
        since = request.args.get("since", type=float)
        return jsonify([asdict(r) for r in state.api_calls(since)])

    @bp.post("/faults")
    def faults() -> Response:
        apply_faults(state.faults, _json_object())
        return jsonify({"ok": True})

    @bp.post("/orders/<int:order_id>/touch")
    def touch(order_id: int) -> Response:
        if order_id not in state.orders:
            return _not_found(order_id)
        return jsonify(state.touch_order(order_id, **_json_object()))

    @bp.post("/orders/<int:order_id>/dispatch")
    def dispatch(order_id: int) -> Response:
        if order_id not in state.orders:
            return _not_found(order_id)
        spec = _json_object()
        tracking, carrier = spec.get("trackingCode"), spec.get("logisticsCarrier", "")
        if not isinstance(tracking, str) or not tracking or not isinstance(carrier, str):
            raise ControlError("trackingCode (text) is required; logisticsCarrier is text")
        when = spec.get("dispatchedDate")
        try:
            dispatched = parse_date(when) if isinstance(when, str) else None
            order = state.dispatch_order(
                order_id, tracking_code=tracking, carrier=carrier, dispatched=dispatched
            )
        except ValueError as exc:
            raise ControlError(str(exc)) from exc
        return jsonify(order)

    @bp.post("/orders/generate")
    def generate() -> Response:
        spec = _json_object()
        count, seed = spec.get("count", 100), spec.get("seed", 99)
        if not isinstance(count, int) or not 0 <= count <= 100_000 or not isinstance(seed, int):
            raise ControlError("count is a whole number up to 100,000 and seed a whole number")
        return jsonify(state.add_orders(count, seed=seed))

    @bp.get("/orders/<int:order_id>")
    def raw_order(order_id: int) -> Response:
        with state.lock:
            order = state.orders.get(order_id)
            return _not_found(order_id) if order is None else jsonify(order)

    @bp.get("/shopify-hits")
    def shopify_hits() -> Response:
        with state.lock:
            return jsonify(list(state.shopify_hits))

    return bp


def apply_faults(faults: Faults, spec: dict[str, Any]) -> None:
    """Switch faults on from JSON like ``{"fail_next": {"status": 429, "count": 3}}``.

    ``clear`` runs first, so ``{"clear": true, "fail_next": ...}`` replaces what was set.
    ``fail_items`` takes a list of ids or ``{"ids": [...], "message": "..."}``.
    """
    unknown = set(spec) - set(FAULT_KINDS)
    if unknown:
        raise ControlError(f"Unknown fault kinds: {', '.join(sorted(unknown))}")
    try:
        if spec.get("clear"):
            faults.clear()
        if "fail_next" in spec:
            faults.fail_next(**spec["fail_next"])
        if "malformed_next" in spec:
            faults.malformed_next(**spec["malformed_next"])
        if "slow_next" in spec:
            faults.slow_next(**spec["slow_next"])
        if "fail_items" in spec:
            items = spec["fail_items"]
            if isinstance(items, dict):
                faults.fail_items(
                    *items["ids"], **({"message": items["message"]} if "message" in items else {})
                )
            else:
                faults.fail_items(*items)
        if "random" in spec:
            rnd = dict(spec["random"])
            if "statuses" in rnd:
                rnd["statuses"] = tuple(rnd["statuses"])
            faults.random(**rnd)
    except (TypeError, ValueError, KeyError) as exc:
        raise ControlError(f"Cannot read the fault spec: {exc}") from exc


def _json_object() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if body is None and not request.get_data():
        return {}
    if not isinstance(body, dict):
        raise ControlError("The body must be a JSON object.")
    return body


def _not_found(order_id: int) -> Response:
    response = jsonify({"Message": f"Sales order {order_id} was not found."})
    response.status_code = 404
    return response
