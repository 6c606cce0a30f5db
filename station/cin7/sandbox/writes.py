"""Batch POST and PUT of sales orders, answered per item like Cin7.

Keys are read in any letter case and stored under the field's camelCase name; keys that
are not Cin7 sales order fields are ignored, as Cin7 ignores unknown JSON properties.
Dates may come with ``Z``, an offset or no zone and are stored in UTC with ``Z``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from station.cin7.sandbox.catalogue import retail_price
from station.cin7.sandbox.schema import (
    LINE_FIELDS,
    ORDER_FIELDS,
    READ_ONLY_ORDER_FIELDS,
    TRACKING_CODE_MAX,
    canonical_key,
    cin7_now,
    format_date,
    is_date_field,
    parse_date,
)
from station.cin7.sandbox.state import SandboxState

MAX_BATCH = 250


def _result(index: int, success: bool, order_id: int | None, errors: list[str]) -> dict[str, Any]:
    return {"index": index, "success": success, "id": order_id, "code": None, "errors": errors}


def _read_fields(
    item: Mapping[str, Any], known: Iterable[str], *, skip: Iterable[str] = ()
) -> tuple[dict[str, Any], list[str]]:
    """The item's known fields under their camelCase names, dates in UTC, and date errors."""
    known = tuple(known)
    skipped = set(skip)
    fields: dict[str, Any] = {}
    errors: list[str] = []
    for key, value in item.items():
        name = canonical_key(key, known)
        if name is None or name in skipped:
            continue
        if is_date_field(name) and isinstance(value, str):
            try:
                value = format_date(parse_date(value))
            except ValueError:
                errors.append(f"{name} is not a date: {value!r}.")
                continue
        fields[name] = value
    return fields, errors


def _status(order: Mapping[str, Any]) -> str:
    if order.get("isVoid"):
        return "VOID"
    return "APPROVED" if order.get("isApproved") else "DRAFT"


def update_orders(state: SandboxState, items: list[Any]) -> list[dict[str, Any]]:
    """Apply each PUT item on its own; a bad item fails alone and changes nothing."""
    with state.lock:
        return [_update_one(state, index, item) for index, item in enumerate(items)]


def _update_one(state: SandboxState, index: int, item: Any) -> dict[str, Any]:
    if not isinstance(item, dict):
        return _result(index, False, None, ["Each item must be an object."])
    order_id = next((v for k, v in item.items() if k.lower() == "id"), None)
    if not isinstance(order_id, int) or isinstance(order_id, bool):
        return _result(index, False, None, ["An id is required to update a sales order."])
    order = state.orders.get(order_id)
    if order is None:
        return _result(index, False, order_id, [f"Sales order {order_id} was not found."])
    if order.get("isVoid"):
        return _result(
            index, False, order_id, [f"Sales order {order_id} is void and cannot be updated."]
        )
    changes, errors = _read_fields(
        item, (*ORDER_FIELDS, *order), skip={"id", *READ_ONLY_ORDER_FIELDS}
    )
    planned = state.faults.item_error(order_id)
    if planned:
        errors.insert(0, planned)
    if "lineItems" in changes:
        errors.append("lineItems cannot be changed through this update.")
    tracking = changes.get("trackingCode")
    if isinstance(tracking, str) and len(tracking) > TRACKING_CODE_MAX:
        errors.append(f"trackingCode must be at most {TRACKING_CODE_MAX} characters.")
    if errors:
        return _result(index, False, order_id, errors)
    order.update(changes)
    if {"isVoid", "isApproved"} & changes.keys():
        order["status"] = _status(order)
    if changes.get("dispatchedDate"):
        for line in order.get("lineItems") or []:
            line["qtyShipped"] = line.get("qty", 0)
    order["modifiedDate"] = cin7_now(state.clock)
    return _result(index, True, order_id, [])


def create_orders(state: SandboxState, items: list[Any]) -> list[dict[str, Any]]:
    """Create each POST item on its own; an unknown SKU fails that item, naming it."""
    with state.lock:
        options = {
            option["code"]: (product, option)
            for product in state.products.values()
            for option in product.get("productOptions") or []
        }
        return [_create_one(state, options, index, item) for index, item in enumerate(items)]


def _create_one(
    state: SandboxState,
    options: Mapping[str, tuple[dict[str, Any], dict[str, Any]]],
    index: int,
    item: Any,
) -> dict[str, Any]:
    if not isinstance(item, dict):
        return _result(index, False, None, ["Each item must be an object."])
    data, errors = _read_fields(item, ORDER_FIELDS, skip={"id", *READ_ONLY_ORDER_FIELDS})
    lines: list[dict[str, Any]] = []
    raw_lines = data.pop("lineItems", None) or []
    if not isinstance(raw_lines, list):
        errors.append("lineItems must be an array.")
        raw_lines = []
    for number, raw in enumerate(raw_lines, start=1):
        line, line_errors = _read_line(raw, number, options)
        errors += line_errors
        if line is not None:
            lines.append(line)
    if errors:
        return _result(index, False, None, errors)
    order_id = state.next_order_id
    state.next_order_id += 1
    for line in lines:
        line["id"] = state.next_line_id
        state.next_line_id += 1
        if data.get("dispatchedDate"):
            line["qtyShipped"] = line["qty"]
    now = cin7_now(state.clock)
    order: dict[str, Any] = {
        name: None for name in ORDER_FIELDS if name not in READ_ONLY_ORDER_FIELDS
    }
    order.update(customFields={}, isApproved=False, isVoid=False)
    order.update(data)
    order.update(
        id=order_id,
        reference=data.get("reference") or f"SO-{order_id}",
        createdDate=now,
        modifiedDate=now,
        source="API",
        stage=data.get("stage") or "New",
        lineItems=lines,
    )
    order["isApproved"] = bool(order["isApproved"])
    order["isVoid"] = bool(order["isVoid"])
    order["status"] = _status(order)
    state.orders[order_id] = order
    return _result(index, True, order_id, [])


def _read_line(
    raw: Any,
    number: int,
    options: Mapping[str, tuple[dict[str, Any], dict[str, Any]]],
) -> tuple[dict[str, Any] | None, list[str]]:
    """A POSTed line filled in from the product option its code names, or its errors."""
    if not isinstance(raw, dict):
        return None, [f"Line {number} must be an object."]
    given, _ = _read_fields(raw, LINE_FIELDS, skip={"id", "qtyShipped"})
    code = given.get("code")
    if not code:
        return None, [f"Line {number} has no code."]
    if code not in options:
        return None, [f"Unknown product code: {code}"]
    qty = given.get("qty", 1)
    if isinstance(qty, bool) or not isinstance(qty, (int, float)) or qty <= 0:
        return None, [f"Line {number} ({code}) needs a qty above 0."]
    product, option = options[code]
    line: dict[str, Any] = {
        "id": None,  # numbered once the whole order is known to be valid
        "productId": product["id"],
        "productOptionId": option["id"],
        "code": code,
        "name": product.get("name"),
        "option1": option.get("option1"),
        "option2": option.get("option2"),
        "option3": option.get("option3"),
        "barcode": option.get("barcode"),
        "sizeCodes": option.get("size"),
        "qty": qty,
        "qtyShipped": 0,
        "unitPrice": retail_price(option),
        "stockControl": product.get("stockControl"),
        "stockMovements": [],
    }
    line.update({k: v for k, v in given.items() if k not in {"productId", "productOptionId"}})
    return line, []
