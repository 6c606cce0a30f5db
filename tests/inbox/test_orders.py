"""Reading one shop order: the normalised shape, and every problem named by its field."""

from __future__ import annotations

from typing import Any

import pytest

from station.inbox.errors import OrderInvalid
from station.inbox.orders import read_order
from tests.inbox.samples import order_json


def problems_of(data: Any, **kwargs: Any) -> dict[str, list[str]]:
    with pytest.raises(OrderInvalid) as caught:
        read_order(data, **kwargs)
    return caught.value.problems


def test_a_valid_order_is_normalised() -> None:
    draft = read_order(order_json())

    assert draft.as_json() == {
        "id": "1001",
        "order_number": "#1001",
        "email": "aroha@example.co.nz",
        "currency": "NZD",
        "shipping_method": "Standard",
        "delivery_instructions": None,
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
            {"sku": "MUG-SAND", "name": "Stoneware Mug", "quantity": 2, "unit_price": "24.00"},
            {
                "sku": "SOCKS-GREY",
                "name": "Wool Socks 3-pack",
                "quantity": 1,
                "unit_price": "29.50",
            },
        ],
        "checkout": {},
    }


def test_the_same_order_written_differently_hashes_the_same() -> None:
    data = order_json()
    shuffled = dict(reversed(list(order_json(email="aroha@example.co.nz", id=" 1001 ").items())))

    assert read_order(data).content_hash == read_order(shuffled).content_hash
    assert read_order(data).content_hash != read_order(order_json(currency="AUD")).content_hash


def test_the_order_number_defaults_to_the_shop_order_id() -> None:
    assert read_order(order_json(order_number=None, id=42)).reference == "42"


def test_every_problem_is_named_by_its_field() -> None:
    data = order_json(
        id=None,
        email="not-an-email",
        currency="dollars",
        shipping_address={"first_name": "Aroha", "city": "Wellington"},
        lines=[{"sku": "MUG-SAND", "quantity": 0}, {"quantity": 1, "unit_price": "cheap"}, "x"],
    )

    assert problems_of(data) == {
        "id": ["is required (the shop's own order id)"],
        "email": ["is not an email address"],
        "currency": ["must be at most 3 characters"],
        "shipping_address.address1": ["is required"],
        "shipping_address.country": ["is required"],
        "lines[0].quantity": ["must be a whole number from 1 to 1,000,000"],
        "lines[1].sku": ["is required (or at least a name for a line Cin7 skips)"],
        "lines[1].unit_price": ["must be an amount such as 24.00"],
        "lines[2]": ["must be an object"],
    }


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"lines": []}, "lines"),
        ({"lines": None}, "lines"),
        ({"shipping_address": None}, "shipping_address"),
        ({"shipping_address": "12 Tui Street"}, "shipping_address"),
        ({"customer": ["Aroha"]}, "customer"),
        ({"id": {"nested": 1}}, "id"),
        ({"id": "x" * 65}, "id"),
        ({"currency": "N1Z"}, "currency"),
        ({"checkout": ["BranchId", 1]}, "checkout"),
    ],
)
def test_a_missing_or_malformed_part_is_refused(changes: dict[str, Any], field: str) -> None:
    assert field in problems_of(order_json(**changes))


def test_an_order_that_is_not_an_object_is_refused() -> None:
    assert problems_of(["1001"]) == {"order": ["must be a JSON object"]}


def test_a_line_without_a_sku_but_with_a_name_is_kept() -> None:
    draft = read_order(order_json(lines=[{"name": "Gift wrap", "quantity": "1"}]))

    assert draft.lines == ({"sku": None, "name": "Gift wrap", "quantity": 1, "unit_price": None},)


def test_a_price_keeps_up_to_four_decimals() -> None:
    draft = read_order(order_json(lines=[{"sku": "MUG-SAND", "quantity": 1, "unit_price": 1.2345}]))

    assert draft.lines[0]["unit_price"] == "1.2345"
