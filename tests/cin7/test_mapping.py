"""Cin7 JSON to Station's values: whole structures compared, camelCase and PascalCase."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from station.cin7.errors import Cin7BadResponse
from station.cin7.mapping import (
    branch_from_json,
    error_detail,
    format_cin7_datetime,
    is_batch_or_serial,
    item_results_from_json,
    parse_cin7_datetime,
    parse_retry_after,
    product_from_json,
    sales_order_from_json,
    stock_row_from_json,
)
from station.cin7.types import (
    Branch,
    ItemResult,
    Product,
    ProductOption,
    SalesOrder,
    SalesOrderLine,
    StockRow,
)

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> Any:
    """A saved Cin7 reply from ``tests/cin7/fixtures``."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


ORDER_JSON = {
    "id": 1201,
    "reference": "SO-1201",
    "createdDate": "2026-05-01T01:00:00Z",
    "modifiedDate": "2026-05-01T13:04:05+10:00",
    "status": "APPROVED",
    "isApproved": True,
    "isVoid": False,
    "stage": "Fully Picked",
    "source": "Shopify",
    "branchId": 1,
    "customerOrderNo": "#1001",
    "firstName": "Aroha",
    "lastName": "Ngata",
    "company": None,
    "email": "aroha@example.co.nz",
    "phone": "+64 9 555 0101",
    "mobile": None,
    "deliveryFirstName": "Aroha",
    "deliveryLastName": "Ngata",
    "deliveryCompany": None,
    "deliveryAddress1": "1 Cuba Street",
    "deliveryAddress2": None,
    "deliveryCity": "Wellington",
    "deliveryState": "Wellington",
    "deliveryPostalCode": "6011",
    "deliveryCountry": "New Zealand",
    "deliveryInstructions": None,
    "currencyCode": "NZD",
    "productTotal": 59.9,
    "total": 68.89,
    "freightTotal": 0,
    "freightDescription": None,
    "dispatchedDate": None,
    "trackingCode": None,
    "logisticsCarrier": None,
    "internalComments": None,
    "someFieldStationDoesNotKnow": {"x": 1},
    "lineItems": [
        {
            "id": 7,
            "productId": 101,
            "productOptionId": 5001,
            "code": "TEE-M",
            "name": "Merino Tee",
            "option1": "M",
            "option2": None,
            "option3": None,
            "barcode": "9400000000017",
            "sizeCodes": "M",
            "qty": 2,
            "qtyShipped": 0,
            "unitPrice": 29.95,
            "stockControl": "Batch",
            "stockMovements": [],
        }
    ],
}

ORDER = SalesOrder(
    id=1201,
    reference="SO-1201",
    created_date=datetime(2026, 5, 1, 1, 0, tzinfo=UTC),
    modified_date=datetime(2026, 5, 1, 3, 4, 5, tzinfo=UTC),
    status="APPROVED",
    is_approved=True,
    is_void=False,
    stage="Fully Picked",
    source="Shopify",
    branch_id=1,
    customer_order_no="#1001",
    first_name="Aroha",
    last_name="Ngata",
    company=None,
    email="aroha@example.co.nz",
    phone="+64 9 555 0101",
    mobile=None,
    delivery_first_name="Aroha",
    delivery_last_name="Ngata",
    delivery_company=None,
    delivery_address1="1 Cuba Street",
    delivery_address2=None,
    delivery_city="Wellington",
    delivery_state="Wellington",
    delivery_postal_code="6011",
    delivery_country="New Zealand",
    delivery_instructions=None,
    currency_code="NZD",
    product_total=Decimal("59.9"),
    total=Decimal("68.89"),
    freight_total=Decimal("0"),
    freight_description=None,
    dispatched_date=None,
    tracking_code=None,
    logistics_carrier=None,
    internal_comments=None,
    lines=(
        SalesOrderLine(
            id=7,
            product_id=101,
            product_option_id=5001,
            code="TEE-M",
            name="Merino Tee",
            option1="M",
            option2=None,
            option3=None,
            barcode="9400000000017",
            size_codes="M",
            qty=Decimal(2),
            qty_shipped=Decimal(0),
            unit_price=Decimal("29.95"),
            stock_control="Batch",
        ),
    ),
)


def test_a_sales_order_maps_whole() -> None:
    assert sales_order_from_json(ORDER_JSON) == ORDER


def test_pascal_case_reads_the_same() -> None:
    def pascal(value: object) -> object:
        if isinstance(value, dict):
            return {k[:1].upper() + k[1:]: pascal(v) for k, v in value.items()}
        if isinstance(value, list):
            return [pascal(v) for v in value]
        return value

    assert sales_order_from_json(pascal(ORDER_JSON)) == ORDER


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ({**ORDER_JSON, "id": None}, "'id'"),
        ({**ORDER_JSON, "id": "twelve"}, "'id'"),
        ({**ORDER_JSON, "modifiedDate": "yesterday"}, "'modifiedDate'"),
        ({**ORDER_JSON, "total": "lots"}, "'total'"),
        ({**ORDER_JSON, "lineItems": "none"}, "'lineItems'"),
        ([1, 2], "list where a sales order"),
    ],
)
def test_unusable_fields_are_named(broken: object, message: str) -> None:
    with pytest.raises(Cin7BadResponse, match=message):
        sales_order_from_json(broken)


def test_a_product_with_options_maps_whole() -> None:
    product = product_from_json(
        {
            "id": 101,
            "name": "Merino Tee",
            "styleCode": "TEE",
            "stockControl": "Batch",
            "sizeRangeId": 7,
            "weight": 0.2,
            "productOptions": [
                {
                    "id": 5001,
                    "productId": 101,
                    "code": "TEE-M",
                    "barcode": "94",
                    "option1": "M",
                    "size": "M",
                    "optionWeight": 0.21,
                    "stockAvailable": 4,
                    "stockOnHand": 5,
                }
            ],
        }
    )

    assert product == Product(
        id=101,
        name="Merino Tee",
        style_code="TEE",
        stock_control="Batch",
        size_range_id=7,
        weight=Decimal("0.2"),
        options=(
            ProductOption(
                id=5001,
                product_id=101,
                code="TEE-M",
                barcode="94",
                option1="M",
                option2=None,
                option3=None,
                size="M",
                weight=Decimal("0.21"),
                stock_available=Decimal(4),
                stock_on_hand=Decimal(5),
            ),
        ),
    )


def test_batch_results_are_read_per_item() -> None:
    results = item_results_from_json(
        [
            {"index": 1, "success": False, "id": 2, "code": None, "errors": ["bad"]},
            {"index": 0, "success": True, "id": 1, "code": None, "errors": []},
        ],
        expected=2,
    )

    assert results == [ItemResult(0, True, 1, None, ()), ItemResult(1, False, 2, None, ("bad",))]


def test_a_result_count_that_does_not_match_is_refused() -> None:
    with pytest.raises(Cin7BadResponse, match="1 results for 2 items"):
        item_results_from_json([{"index": 0, "success": True}], expected=2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-01T03:04:05Z", datetime(2026, 5, 1, 3, 4, 5, tzinfo=UTC)),
        ("2026-05-01T15:04:05+12:00", datetime(2026, 5, 1, 3, 4, 5, tzinfo=UTC)),
        ("2026-05-01T03:04:05", datetime(2026, 5, 1, 3, 4, 5, tzinfo=UTC)),
        ("2026-05-01T03:04:05.123Z", datetime(2026, 5, 1, 3, 4, 5, 123000, tzinfo=UTC)),
    ],
)
def test_dates_in_become_utc(text: str, expected: datetime) -> None:
    assert parse_cin7_datetime(text) == expected


def test_dates_out_are_utc_with_z() -> None:
    value = datetime(2026, 5, 1, 15, 4, 5, 999, tzinfo=UTC)

    assert format_cin7_datetime(value) == "2026-05-01T15:04:05Z"
    with pytest.raises(ValueError):
        format_cin7_datetime(datetime(2026, 5, 1))


@pytest.mark.parametrize(
    ("control", "expected"),
    [
        ("Batch", True),
        ("SERIAL", True),
        ("Batch Tracked", True),
        ("FIFO", False),
        ("Undefined", False),
        (None, False),
    ],
)
def test_batch_or_serial(control: str | None, expected: bool) -> None:
    assert is_batch_or_serial(control) is expected


def _line(**fields: Any) -> SalesOrderLine:
    """A line with every field not given left empty."""
    blank: dict[str, Any] = {f.name: None for f in dataclasses.fields(SalesOrderLine)}
    return SalesOrderLine(**{**blank, "qty_shipped": Decimal(0), **fields})


def test_a_pascal_case_order_with_local_times_maps_whole() -> None:
    data = fixture("sales_order_pascal.json")

    order = sales_order_from_json(data)

    assert order == SalesOrder(
        id=2417,
        reference="#1042",
        created_date=datetime(2026, 4, 30, 22, 15, 0, 123456, tzinfo=UTC),
        modified_date=datetime(2026, 5, 1, 3, 4, 5, 500000, tzinfo=UTC),
        status="APPROVED",
        is_approved=True,
        is_void=False,
        stage="Fully Picked",
        source="Shopify",
        branch_id=3,
        customer_order_no="1042",
        first_name="Mere",
        last_name="Tūhoe",
        company="Tūhoe Weaving Ltd",
        email="mere@example.co.nz",
        phone=None,
        mobile="+64 21 555 0199",
        delivery_first_name="Mere",
        delivery_last_name="Tūhoe",
        delivery_company="Tūhoe Weaving Ltd",
        delivery_address1="Unit 4, 17 Ōtaki Gorge Road",
        delivery_address2="",
        delivery_city="Ōtaki",
        delivery_state=None,
        delivery_postal_code="5512",
        delivery_country="New Zealand",
        delivery_instructions="Leave at the back door",
        currency_code="NZD",
        product_total=Decimal("174.5"),
        total=Decimal("200.68"),
        freight_total=None,
        freight_description=None,
        dispatched_date=None,
        tracking_code=None,
        logistics_carrier=None,
        internal_comments="Paid by card\nCall before delivery",
        lines=(
            _line(
                id=90311,
                product_id=140,
                product_option_id=5102,
                code="HONEY-MANUKA-500",
                name="Mānuka Honey 500 g",
                option1="UMF 10+",
                barcode="9421900000123",
                qty=Decimal(3),
                unit_price=Decimal("42.5"),
                stock_control="Batch",
            ),
            _line(
                id=90312,
                product_id=151,
                product_option_id=5230,
                code="TEE-MERINO-L",
                name="Merino Tee",
                option1="Charcoal",
                option2="L",
                size_codes="L",
                qty=Decimal("1.5"),
                stock_control="Undefined",
            ),
        ),
    )
    assert order.raw == data and "raw" not in repr(order)
    assert [is_batch_or_serial(line.stock_control) for line in order.lines] == [True, False]


def test_stock_rows_map_whole_and_missing_quantities_are_zero() -> None:
    rows = [stock_row_from_json(item) for item in fixture("stock_page.json")]

    assert rows == [
        StockRow(
            product_id=101,
            product_option_id=5001,
            code="KETE-NATURA",
            barcode="9452601815902",
            branch_id=1,
            branch_name="Auckland Warehouse",
            available=Decimal(100),
            stock_on_hand=Decimal(116),
            open_sales=Decimal(16),
            incoming=Decimal(13),
            holding=Decimal(0),
            modified_date=datetime(2026, 1, 5, tzinfo=UTC),
        ),
        StockRow(
            product_id=151,
            product_option_id=5230,
            code="TEE-MERINO-L",
            barcode=None,
            branch_id=3,
            branch_name="Sydney 3PL",
            available=Decimal("-2.5"),
            stock_on_hand=Decimal(0),
            open_sales=Decimal("2.5"),
            incoming=Decimal(0),
            holding=Decimal(0),
            modified_date=None,
        ),
    ]


def test_branches_map_whole_in_either_case() -> None:
    branches = [branch_from_json(item) for item in fixture("branches_page.json")]

    assert branches == [
        Branch(
            1,
            "Auckland Warehouse",
            True,
            "Warehouse",
            "12 Carbine Road",
            "Auckland",
            "1060",
            "New Zealand",
        ),
        Branch(3, "Sydney 3PL", False, "3PL", None, "Sydney", "2000", "Australia"),
    ]


def test_saved_batch_results_come_back_in_item_order() -> None:
    results = item_results_from_json(fixture("batch_results.json"), expected=3)

    assert results == [
        ItemResult(0, True, 1201, None, ()),
        ItemResult(1, False, 999999, "NOT_FOUND", ("No sales order with id 999999",)),
        ItemResult(2, False, 1203, None, ("TrackingCode is longer than 50 characters",)),
    ]


@pytest.mark.parametrize(
    "results",
    [
        [{"index": 0, "success": True}, {"index": 0, "success": True}],
        [{"index": 0, "success": True}, {"index": 5, "success": True}],
        {"Message": "An error has occurred."},
    ],
)
def test_results_that_cannot_be_matched_to_items_are_refused(results: object) -> None:
    with pytest.raises(Cin7BadResponse):
        item_results_from_json(results, expected=2)


def test_a_branch_without_an_id_is_named() -> None:
    with pytest.raises(Cin7BadResponse, match="branch without a valid 'id'"):
        branch_from_json({"company": "Nowhere"})


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, None),
        ("", None),
        ("2", 2.0),
        ("0.5", 0.5),
        ("-3", 0.0),
        ("Fri, 01 May 2026 03:04:35 GMT", 30.0),
        ("soon", None),
    ],
)
def test_retry_after_in_seconds_or_as_a_date(header: str | None, expected: float | None) -> None:
    now = datetime(2026, 5, 1, 3, 4, 5, tzinfo=UTC)

    assert parse_retry_after(header, now=now) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ('{"Message": "The where clause is invalid"}', "The where clause is invalid"),
        ('{"message": "lower case"}', "lower case"),
        ("<html>Bad   Request\n</html>", ""),
        ("x" * 100, ""),
        ('{"error": "internal_metric_secret 42"}', ""),
    ],
)
def test_error_detail_is_cin7s_message_and_never_the_rest_of_a_reply(
    body: str, expected: str
) -> None:
    assert error_detail(body) == expected
