"""Shop orders in the inbox's JSON shape, with SKUs the sandbox's demo catalogue sells."""

from __future__ import annotations

import copy
from typing import Any

ORDER: dict[str, Any] = {
    "id": "1001",
    "order_number": "#1001",
    "email": "Aroha@Example.co.nz",
    "currency": "nzd",
    "shipping_method": "Standard",
    "customer": {"first_name": "Aroha", "last_name": "Ngata", "phone": "021 555 0101"},
    "shipping_address": {
        "first_name": "Aroha",
        "last_name": "Ngata",
        "address1": "12 Tui Street",
        "city": "Wellington",
        "postcode": "6011",
        "country": "New Zealand",
    },
    "lines": [
        {"sku": "MUG-SAND", "name": "Stoneware Mug", "quantity": 2, "unit_price": "24"},
        {"sku": "SOCKS-GREY", "name": "Wool Socks 3-pack", "quantity": 1, "unit_price": 29.5},
    ],
}


def order_json(**changes: Any) -> dict[str, Any]:
    """A valid order; ``changes`` replace top-level keys (None removes one)."""
    order = copy.deepcopy(ORDER)
    for key, value in changes.items():
        if value is None:
            order.pop(key, None)
        else:
            order[key] = value
    return order
