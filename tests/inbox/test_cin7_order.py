"""An inbox order as the Cin7 sales order Station POSTs (golden payloads)."""

from __future__ import annotations

from typing import Any

import pytest

from station.inbox.cin7_order import sales_order_item
from station.inbox.orders import read_order
from station.models import InboxOrder
from tests.inbox.samples import order_json

CODES = {"mug-sand": "MUG-SAND", "socks-grey": "SOCKS-GREY"}


def inbox_order(**changes: Any) -> InboxOrder:
    return InboxOrder(**read_order(order_json(**changes)).order_columns())


def test_a_plain_order_maps_to_every_cin7_field_it_fills() -> None:
    item = sales_order_item(
        inbox_order(delivery_instructions="Leave at the door"),
        key="IN7-ABC123",
        codes=CODES,
        default_mail_class="",
        rules={},
    )

    assert item == {
        "reference": "IN7-ABC123",
        "customerOrderNo": "#1001",
        "isApproved": True,
        "firstName": "Aroha",
        "lastName": "Ngata",
        "email": "aroha@example.co.nz",
        "phone": "021 555 0101",
        "deliveryFirstName": "Aroha",
        "deliveryLastName": "Ngata",
        "deliveryAddress1": "12 Tui Street",
        "deliveryCity": "Wellington",
        "deliveryPostalCode": "6011",
        "deliveryCountry": "New Zealand",
        "deliveryInstructions": "Leave at the door",
        "currencyCode": "NZD",
        "logisticsCarrier": "Standard",
        "lineItems": [
            {"code": "MUG-SAND", "qty": 2, "name": "Stoneware Mug", "unitPrice": 24.0},
            {"code": "SOCKS-GREY", "qty": 1, "name": "Wool Socks 3-pack", "unitPrice": 29.5},
        ],
    }


def test_every_checkout_field_lands_in_its_cin7_field() -> None:
    checkout = {
        "cin7_ship_method": "CourierPost Overnight",
        "ShipMethod": "Shop Overnight",
        "Stage": "Processing",
        "CustomerOrderNo": "PO-77",
        "BranchId": "2",
        "DispatchedDate": "2026-05-01",
        "AccountingImportStatus": "Pending",
        "CustomFieldName1": "Gift",
        "CustomFieldValue1": "yes",
        "CustomFieldName2": "Channel",
        "CustomFieldValue2": "Web",
        "gift_message": "not for Cin7",
    }

    item = sales_order_item(
        inbox_order(checkout=checkout),
        key="K",
        codes=CODES,
        default_mail_class="Standard",
        rules={},
    )

    assert {k: item[k] for k in item if k not in DELIVERY_AND_LINES} == {
        "reference": "K",
        "customerOrderNo": "PO-77",
        "isApproved": True,
        "logisticsCarrier": "CourierPost Overnight",
        "stage": "Processing",
        "branchId": 2,
        "dispatchedDate": "2026-05-01T00:00:00Z",
        "accountingAttributes": {"accountingImportStatus": "Pending"},
        "customFields": {"Gift": "yes", "Channel": "Web"},
    }


DELIVERY_AND_LINES = {
    "firstName",
    "lastName",
    "email",
    "phone",
    "deliveryFirstName",
    "deliveryLastName",
    "deliveryAddress1",
    "deliveryCity",
    "deliveryPostalCode",
    "deliveryCountry",
    "currencyCode",
    "lineItems",
}


@pytest.mark.parametrize(
    ("checkout", "mail_class", "expected"),
    [
        ({"ShipMethod": "Shop Overnight"}, "Standard", "Shop Overnight"),
        ({}, "Standard", "Standard"),
        ({}, "", "Standard"),  # the shop's own shipping method, as a last resort
    ],
)
def test_the_ship_method_goes_to_logistics_carrier(
    checkout: dict[str, str], mail_class: str, expected: str
) -> None:
    item = sales_order_item(
        inbox_order(checkout=checkout, shipping_method="Standard"),
        key="K",
        codes=CODES,
        default_mail_class=mail_class,
        rules={},
    )

    assert item["logisticsCarrier"] == expected


def test_lines_without_a_sku_stay_behind_and_skus_take_cin7s_spelling() -> None:
    lines = [
        {"sku": "mug-sand", "quantity": 1},
        {"name": "Gift wrap", "quantity": 1, "unit_price": "5"},
    ]

    item = sales_order_item(
        inbox_order(lines=lines), key="K", codes=CODES, default_mail_class="", rules={}
    )

    assert item["lineItems"] == [{"code": "MUG-SAND", "qty": 1}]
