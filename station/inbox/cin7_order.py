"""An inbox order as the Cin7 sales order Station POSTs: a pure mapping (``docs/inbox.md``)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from station.inbox.checkout import (
    ACCOUNTING_IMPORT_STATUS,
    BRANCH_ID,
    CUSTOMER_ORDER_NO,
    DISPATCHED_DATE,
    STAGE,
    custom_fields,
    ship_method,
)
from station.inbox.products import ProductRules, sent_sku
from station.models import InboxOrder


def sendable_lines(order: InboxOrder, rules: ProductRules) -> list[dict[str, Any]]:
    """The lines Cin7 gets, each under the SKU it is sent as.

    Lines without a SKU (gift wrap, tips) and SKUs set not to be sent stay behind.
    """
    lines = []
    for line in order.lines:
        sku = sent_sku(line["sku"], rules) if line.get("sku") else None
        if sku is not None:
            lines.append({**line, "sku": sku})
    return lines


def order_skus(order: InboxOrder, rules: ProductRules) -> set[str]:
    """The SKUs the order sends to Cin7 (after the product settings)."""
    return {line["sku"] for line in sendable_lines(order, rules)}


def sales_order_item(
    order: InboxOrder,
    *,
    key: str,
    codes: Mapping[str, str],
    default_mail_class: str,
    rules: ProductRules,
) -> dict[str, Any]:
    """The POST item for ``order``; ``codes`` maps each SKU, lower-cased, to Cin7's spelling.

    Empty values are left out, so Cin7 keeps its own defaults for them.
    """
    checkout = order.checkout
    address = order.shipping_address
    customer = order.customer
    branch = checkout.get(BRANCH_ID)
    status = checkout.get(ACCOUNTING_IMPORT_STATUS)
    item: dict[str, Any] = {
        "reference": key,
        "customerOrderNo": checkout.get(CUSTOMER_ORDER_NO) or order.reference,
        "isApproved": True,
        "firstName": customer.get("first_name") or address.get("first_name"),
        "lastName": customer.get("last_name") or address.get("last_name"),
        "company": customer.get("company") or address.get("company"),
        "email": order.email,
        "phone": customer.get("phone") or address.get("phone"),
        "deliveryFirstName": address.get("first_name"),
        "deliveryLastName": address.get("last_name"),
        "deliveryCompany": address.get("company"),
        "deliveryAddress1": address.get("address1"),
        "deliveryAddress2": address.get("address2"),
        "deliveryCity": address.get("city"),
        "deliveryState": address.get("state"),
        "deliveryPostalCode": address.get("postcode"),
        "deliveryCountry": address.get("country"),
        "deliveryInstructions": order.delivery_instructions,
        "currencyCode": order.currency_code,
        "logisticsCarrier": ship_method(
            checkout,
            default_mail_class=default_mail_class,
            shop_method=order.shipping_method or "",
        ),
        "stage": checkout.get(STAGE),
        "branchId": int(branch) if branch else None,
        "dispatchedDate": checkout.get(DISPATCHED_DATE),
        "accountingAttributes": {"accountingImportStatus": status} if status else None,
        "customFields": custom_fields(checkout),
        "lineItems": [_line(line, codes) for line in sendable_lines(order, rules)],
    }
    return {name: value for name, value in item.items() if value not in (None, "", {})}


def _line(line: Mapping[str, Any], codes: Mapping[str, str]) -> dict[str, Any]:
    sku = line["sku"]
    item: dict[str, Any] = {"code": codes.get(sku.lower(), sku), "qty": line["quantity"]}
    if line.get("name"):
        item["name"] = line["name"]
    if line.get("unit_price") is not None:
        item["unitPrice"] = float(Decimal(line["unit_price"]))  # JSON has no decimals
    return item
