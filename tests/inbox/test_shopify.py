"""Shopify's webhook: the signature check and its order in the inbox's shape."""

from __future__ import annotations

import pytest

from station.inbox.errors import OrderInvalid
from station.inbox.orders import read_order
from station.inbox.shopify import order_from_shopify, signature_valid
from tests.inbox.builders import SECRET, sign
from tests.inbox.samples import SHOPIFY_ORDER

BODY = b'{"id": 1}'


def test_a_signature_made_with_the_secret_is_valid() -> None:
    assert signature_valid(SECRET, BODY, sign(BODY))


def test_a_wrong_secret_an_altered_body_or_no_signature_is_not() -> None:
    assert not signature_valid(SECRET, BODY, sign(BODY, "another secret"))
    assert not signature_valid(SECRET, BODY + b" ", sign(BODY))
    assert not signature_valid(SECRET, BODY, "")
    assert not signature_valid("", BODY, sign(BODY, ""))
    assert not signature_valid(SECRET, BODY, "not base64 ☃")


def test_a_shopify_order_reads_as_an_inbox_order() -> None:
    draft = read_order(order_from_shopify(SHOPIFY_ORDER))

    assert draft.as_json() == {
        "id": "820982911946154508",
        "order_number": "#9999",
        "email": "jon@example.com",
        "currency": "NZD",
        "shipping_method": "Generic Shipping",
        "delivery_instructions": "Leave at the back door",
        "customer": {"first_name": "John", "last_name": "Smith"},
        "shipping_address": {
            "first_name": "Jon",
            "last_name": "Smith",
            "address1": "123 Shipping Street",
            "city": "Shippington",
            "state": "Kentucky",
            "postcode": "40003",
            "country": "United States",
            "phone": "555-555-SHIP",
        },
        "lines": [
            {
                "sku": "MUG-SAND",
                "name": "Stoneware Mug - Sand",
                "quantity": 1,
                "unit_price": "199.00",
            },
            {"sku": None, "name": "Gift wrap", "quantity": 1, "unit_price": "5.00"},
        ],
        "checkout": {"cin7_ship_method": "CourierPost Overnight", "BranchId": "2"},
    }


def test_something_that_is_not_an_order_is_passed_on_for_read_order_to_refuse() -> None:
    assert order_from_shopify([1, 2]) == [1, 2]


@pytest.mark.parametrize("line_items", [5, "abc", {"sku": "MUG"}, True])
def test_line_items_that_are_not_a_list_are_refused_by_read_order(line_items: object) -> None:
    with pytest.raises(OrderInvalid) as refused:
        read_order(order_from_shopify({**SHOPIFY_ORDER, "line_items": line_items}))

    assert "lines" in refused.value.problems


@pytest.mark.parametrize("shipping_lines", [5, "abc", None, [1, "x"]])
def test_shipping_lines_of_another_shape_leave_the_method_blank(shipping_lines: object) -> None:
    draft = read_order(order_from_shopify({**SHOPIFY_ORDER, "shipping_lines": shipping_lines}))

    assert draft.as_json().get("shipping_method") is None
