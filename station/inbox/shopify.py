"""Shopify's ``orders/create`` webhook: checking its signature and reading its order.

Shopify signs the raw body with the app's webhook secret (HMAC-SHA256, base64, header
``X-Shopify-Hmac-Sha256``). The order's note attributes (cart attributes) become its
checkout fields, so a shop can set ``cin7_ship_method`` or ``BranchId`` at checkout.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

TOPIC = "orders/create"


def signature_valid(secret: str, body: bytes, signature: str) -> bool:
    """True when ``signature`` is the base64 HMAC-SHA256 of ``body`` under ``secret``."""
    if not secret or not signature:
        return False
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    expected = base64.b64encode(digest)
    return hmac.compare_digest(expected, signature.strip().encode("ascii", "replace"))


def order_from_shopify(data: Any) -> Any:
    """A Shopify order (webhook JSON) in the inbox's JSON shape; other input comes back as is.

    Only the shape changes here: ``read_order`` checks the result like any other order.
    """
    if not isinstance(data, Mapping):
        return data
    customer = _mapping(data.get("customer"))
    address = _mapping(data.get("shipping_address"))
    shipping = [s for s in _list(data.get("shipping_lines")) if isinstance(s, Mapping)]
    order: dict[str, Any] = {
        "id": data.get("id"),
        "order_number": data.get("name"),
        "email": data.get("email") or data.get("contact_email") or customer.get("email"),
        "currency": data.get("currency"),
        "shipping_method": shipping[0].get("title") if shipping else None,
        "delivery_instructions": data.get("note") or None,
        "customer": {
            "first_name": customer.get("first_name"),
            "last_name": customer.get("last_name"),
            "phone": customer.get("phone") or data.get("phone"),
        },
        "shipping_address": _address(address) if address else None,
        "lines": _lines(data.get("line_items")),
        "checkout": _attributes(data.get("note_attributes")),
    }
    return order


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _lines(value: Any) -> Any:
    """The line items in the inbox's shape; anything but a list (or none) as it came, so
    ``read_order`` refuses it with its own message."""
    if value is None:
        return []
    if not isinstance(value, list):
        return value
    return [_line(item) for item in value]


def _address(address: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "first_name": address.get("first_name"),
        "last_name": address.get("last_name"),
        "company": address.get("company"),
        "address1": address.get("address1"),
        "address2": address.get("address2"),
        "city": address.get("city"),
        "state": address.get("province"),
        "postcode": address.get("zip"),
        "country": address.get("country"),
        "phone": address.get("phone"),
    }


def _line(item: Any) -> Any:
    if not isinstance(item, Mapping):
        return item
    return {
        "sku": item.get("sku") or None,
        "name": item.get("name") or item.get("title"),
        "quantity": item.get("quantity"),
        "unit_price": item.get("price"),
    }


def _attributes(value: Any) -> dict[str, Any] | None:
    """Shopify's ``[{"name": ..., "value": ...}]`` note attributes as one mapping."""
    if not isinstance(value, list):
        return None
    return {
        str(a["name"]): a.get("value")
        for a in value
        if isinstance(a, Mapping) and isinstance(a.get("name"), str) and a["name"].strip()
    }
