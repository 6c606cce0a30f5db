"""The account's customer contacts, as ``GET v1/Contacts`` lists them: one per buyer of its orders.

The sandbox keeps no contact book of its own: each distinct customer (by email, else by
name) of the account's sales orders is one contact, numbered in the order of their first
order, so a contact keeps its id while orders are added.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

FIRST_CONTACT_ID = 2001


def contacts_of(orders: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """One Cin7 contact per customer of ``orders``, with the address of their first order."""
    found: dict[tuple[str, ...], dict[str, Any]] = {}
    for order in sorted(orders, key=lambda o: o.get("id") or 0):
        key = _customer_key(order)
        if key is None or key in found:
            continue
        found[key] = {
            "id": FIRST_CONTACT_ID + len(found),
            "createdDate": order.get("createdDate"),
            "modifiedDate": order.get("createdDate"),
            "isActive": True,
            "type": "Customer",
            "company": order.get("company"),
            "firstName": order.get("firstName"),
            "lastName": order.get("lastName"),
            "email": order.get("email"),
            "phone": order.get("phone"),
            "mobile": order.get("mobile"),
            "address1": order.get("deliveryAddress1"),
            "address2": order.get("deliveryAddress2"),
            "city": order.get("deliveryCity"),
            "state": order.get("deliveryState"),
            "postCode": order.get("deliveryPostalCode"),
            "country": order.get("deliveryCountry"),
        }
    return list(found.values())


def _customer_key(order: Mapping[str, Any]) -> tuple[str, ...] | None:
    email = (order.get("email") or "").strip().lower()
    if email:
        return ("email", email)
    name = tuple((order.get(k) or "").strip().lower() for k in ("firstName", "lastName"))
    return ("name", *name) if any(name) else None
