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


# A Shopify ``orders/create`` webhook body, trimmed to the fields Station reads and a few
# it does not (Shopify sends many more).
SHOPIFY_ORDER: dict[str, Any] = {
    "id": 820982911946154508,
    "name": "#9999",
    "email": "jon@example.com",
    "currency": "NZD",
    "financial_status": "paid",
    "note": "Leave at the back door",
    "note_attributes": [
        {"name": "cin7_ship_method", "value": "CourierPost Overnight"},
        {"name": "BranchId", "value": "2"},
    ],
    "customer": {"id": 115310627314723954, "first_name": "John", "last_name": "Smith"},
    "shipping_address": {
        "first_name": "Jon",
        "last_name": "Smith",
        "company": None,
        "address1": "123 Shipping Street",
        "address2": "",
        "city": "Shippington",
        "province": "Kentucky",
        "zip": "40003",
        "country": "United States",
        "phone": "555-555-SHIP",
    },
    "shipping_lines": [{"title": "Generic Shipping", "price": "10.00"}],
    "line_items": [
        {
            "id": 866550311766439020,
            "sku": "MUG-SAND",
            "name": "Stoneware Mug - Sand",
            "quantity": 1,
            "price": "199.00",
        },
        {
            "id": 141249953214522974,
            "sku": "",
            "title": "Gift wrap",
            "name": "Gift wrap",
            "quantity": 1,
            "price": "5.00",
        },
    ],
}


def orders_csv(count: int, *, prefix: str = "C") -> bytes:
    """A CSV import of ``count`` one-line orders (``<prefix>0`` ...), every one valid."""
    header = (
        "order_id,order_number,email,first_name,last_name,address1,city,postcode,country,"
        "sku,name,quantity,unit_price"
    )
    rows = [
        f"{prefix}{n},#{prefix}{n},kiri@example.nz,Kiri,Hona,1 Rata Road,Nelson,7010,"
        "New Zealand,MUG-SAND,Stoneware Mug,2,24.00"
        for n in range(count)
    ]
    return ("\n".join([header, *rows]) + "\n").encode()


HEADER = "order_id,order_number,email,first_name,last_name,address1,city,postcode,country,sku,name,quantity,unit_price,BranchId,Stage"


ROWS = [
    "A1,#A1,kiri@example.nz,Kiri,Hona,1 Rata Road,Nelson,7010,New Zealand,MUG-SAND,Mug,2,24.00,1,New",
    "A1,,,,,,,,,SOCKS-GREY,Socks,1,29.00,,",
    "A2,#A2,sam@example.nz,Sam,Tane,2 Kauri Lane,Napier,4110,New Zealand,KETE-NATURA,Kete,1,89.00,,",
]


def csv_bytes(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode()
