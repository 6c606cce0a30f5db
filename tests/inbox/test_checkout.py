"""Checkout fields: names in any case, dates in UTC, custom fields in pairs, known branches."""

from __future__ import annotations

from typing import Any

import pytest

from station.inbox.checkout import custom_fields, read_checkout, ship_method


def test_known_fields_take_their_canonical_names_and_others_are_kept() -> None:
    fields, problems = read_checkout(
        {
            "shipmethod": "Overnight",
            "CIN7_SHIP_METHOD": "CourierPost Overnight",
            "stage": "Processing",
            "customerorderno": "PO-77",
            "branchid": 2,
            "DispatchedDate": "2026-05-01T14:30:00+12:00",
            "accountingimportstatus": "Pending",
            "gift_message": "Happy birthday",
            "empty": "  ",
        }
    )

    assert problems == {}
    assert fields == {
        "ShipMethod": "Overnight",
        "cin7_ship_method": "CourierPost Overnight",
        "Stage": "Processing",
        "CustomerOrderNo": "PO-77",
        "BranchId": "2",
        "DispatchedDate": "2026-05-01T02:30:00Z",
        "AccountingImportStatus": "Pending",
        "gift_message": "Happy birthday",
    }


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"BranchId": "two"},
            {"checkout.BranchId": ["must be a Cin7 branch id (a whole number above 0)"]},
        ),
        (
            {"BranchId": 0},
            {"checkout.BranchId": ["must be a Cin7 branch id (a whole number above 0)"]},
        ),
        (
            {"DispatchedDate": "yesterday"},
            {
                "checkout.DispatchedDate": [
                    "must be a date such as 2026-05-01 or 2026-05-01T14:30:00Z"
                ]
            },
        ),
        *(
            (
                {"DispatchedDate": moment},
                {
                    "checkout.DispatchedDate": [
                        "must be a date such as 2026-05-01 or 2026-05-01T14:30:00Z"
                    ]
                },
            )
            for moment in (  # in range as written, out of range in UTC
                "0001-01-01T00:00:00+14:00",
                "9999-12-31T23:59:59-14:00",
                "9999-12-31T23:59:59.999999-00:01",
            )
        ),
        (
            {"CustomFieldName2": "Gift"},
            {"checkout.CustomFieldValue2": ["is needed with CustomFieldName2"]},
        ),
        (
            {"CustomFieldValue3": "yes"},
            {"checkout.CustomFieldName3": ["is needed with CustomFieldValue3"]},
        ),
        ({"Stage": "x" * 65}, {"checkout.Stage": ["must be at most 64 characters"]}),
        ({"Stage": ["New"]}, {"checkout.Stage": ["must be text or a number"]}),
        ({"Stage": True}, {"checkout.Stage": ["must be text or a number"]}),
    ],
)
def test_bad_values_are_named(data: dict[str, Any], expected: dict[str, list[str]]) -> None:
    assert read_checkout(data)[1] == expected


def test_a_branch_cin7_does_not_have_is_refused_and_an_unknown_answer_lets_it_through() -> None:
    known = {1, 2, 3}

    _, unknown = read_checkout({"BranchId": 9}, branch_known=lambda b: b in known)
    fields, cannot_tell = read_checkout({"BranchId": 9}, branch_known=lambda b: None)

    assert unknown == {"checkout.BranchId": ["is not a branch in Cin7 (no branch has id 9)"]}
    assert cannot_tell == {} and fields == {"BranchId": "9"}


def test_the_ship_method_prefers_cin7_ship_method_then_ship_method_then_the_default() -> None:
    both = {"cin7_ship_method": "Cin7 Courier", "ShipMethod": "Shop Courier"}

    assert ship_method(both, default_mail_class="Standard", shop_method="Free") == "Cin7 Courier"
    assert ship_method(
        {"ShipMethod": "Shop Courier"}, default_mail_class="Std", shop_method="Free"
    ) == ("Shop Courier")
    assert ship_method({}, default_mail_class="Standard", shop_method="Free") == "Standard"
    assert ship_method({}, default_mail_class="", shop_method="Free") == "Free"


def test_custom_fields_pair_names_with_values() -> None:
    checkout = {
        "CustomFieldName1": "Gift",
        "CustomFieldValue1": "yes",
        "CustomFieldName4": "Channel",
        "CustomFieldValue4": "Web",
    }

    assert custom_fields(checkout) == {"Gift": "yes", "Channel": "Web"}
