"""What the demo data guarantees: enough orders of every kind, and a catalogue that is awkward
in the ways real accounts are."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from station.cin7.sandbox import SandboxState, seed_demo
from station.cin7.sandbox.schema import parse_date
from tests.cin7.sandbox.conftest import FakeClock

NOW = datetime(2026, 5, 1, 3, 4, 5, tzinfo=UTC)
CIN7_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest.fixture(scope="module")
def demo() -> SandboxState:
    state = SandboxState(clock=FakeClock(NOW.timestamp()))
    seed_demo(state)
    return state


@pytest.fixture(scope="module")
def orders(demo: SandboxState) -> list[dict[str, Any]]:
    return list(demo.orders.values())


@pytest.fixture(scope="module")
def products(demo: SandboxState) -> list[dict[str, Any]]:
    return list(demo.products.values())


def age(order: dict[str, Any]) -> timedelta:
    return NOW - parse_date(order["createdDate"])


class TestOrders:
    def test_there_are_at_least_300(self, orders: list[dict[str, Any]]) -> None:
        assert len(orders) >= 300

    def test_at_least_300_are_approved_open_and_from_the_last_30_days(
        self, orders: list[dict[str, Any]]
    ) -> None:
        waiting = [
            o
            for o in orders
            if o["isApproved"] and not o["isVoid"] and o["dispatchedDate"] is None
            if age(o) <= timedelta(days=30)
        ]
        assert len(waiting) >= 300

    def test_they_span_about_sixty_days(self, orders: list[dict[str, Any]]) -> None:
        ages = [age(o) for o in orders]
        assert max(ages) <= timedelta(days=60) and min(ages) >= timedelta(0)
        assert sum(a > timedelta(days=30) for a in ages) >= 30

    def test_every_stage_appears(self, orders: list[dict[str, Any]]) -> None:
        stages = set(Counter(o["stage"] for o in orders))
        assert {
            "New",
            "Awaiting Payment",
            "Processing",
            "On Hold",
            "Fully Picked",
            "Dispatched",
            "Declined",
        } <= stages

    @pytest.mark.parametrize(
        ("kind", "matches"),
        [
            ("void", lambda o: o["isVoid"] is True and o["status"] == "VOID"),
            (
                "draft",
                lambda o: o["isApproved"] is False and not o["isVoid"] and o["status"] == "DRAFT",
            ),
            (
                "dispatched",
                lambda o: o["stage"] == "Dispatched" and o["dispatchedDate"] and o["trackingCode"],
            ),
        ],
    )
    def test_some_are_void_draft_or_dispatched(
        self, orders: list[dict[str, Any]], kind: str, matches: Any
    ) -> None:
        assert sum(1 for o in orders if matches(o)) >= 3, kind

    def test_status_agrees_with_the_flags(self, orders: list[dict[str, Any]]) -> None:
        for o in orders:
            expected = "VOID" if o["isVoid"] else "APPROVED" if o["isApproved"] else "DRAFT"
            assert o["status"] == expected

    def test_dispatched_orders_shipped_every_line_and_others_none(
        self, orders: list[dict[str, Any]]
    ) -> None:
        for o in orders:
            shipped = [li["qtyShipped"] for li in o["lineItems"]]
            assert shipped == (
                [li["qty"] for li in o["lineItems"]] if o["dispatchedDate"] else [0] * len(shipped)
            )

    def test_each_has_one_to_six_lines_naming_real_options(
        self, orders: list[dict[str, Any]], products: list[dict[str, Any]]
    ) -> None:
        options = {
            (o["productId"], o["id"], o["code"]) for p in products for o in p["productOptions"]
        }
        assert {len(o["lineItems"]) for o in orders} == {1, 2, 3, 4, 5, 6}
        assert {
            (li["productId"], li["productOptionId"], li["code"])
            for o in orders
            for li in o["lineItems"]
        } <= options

    def test_money_has_two_decimals_and_adds_up(self, orders: list[dict[str, Any]]) -> None:
        for o in orders:
            assert o["productTotal"] == round(
                sum(li["qty"] * li["unitPrice"] for li in o["lineItems"]), 2
            )
            for amount in (o["productTotal"], o["total"], o["freightTotal"]):
                assert round(amount, 2) == amount

    def test_dates_are_utc_with_z_and_never_out_of_order(
        self, orders: list[dict[str, Any]]
    ) -> None:
        for o in orders:
            assert CIN7_DATE.match(o["createdDate"]) and CIN7_DATE.match(o["modifiedDate"])
            assert parse_date(o["createdDate"]) <= parse_date(o["modifiedDate"]) <= NOW
            if o["dispatchedDate"]:
                assert parse_date(o["createdDate"]) <= parse_date(o["dispatchedDate"]) <= NOW


class TestAddresses:
    @pytest.mark.parametrize(
        ("country", "currency"), [("New Zealand", "NZD"), ("Australia", "AUD")]
    )
    def test_orders_ship_to_new_zealand_and_australia(
        self, orders: list[dict[str, Any]], country: str, currency: str
    ) -> None:
        theirs = [o for o in orders if o["deliveryCountry"] == country]
        assert len(theirs) >= 30 and {o["currencyCode"] for o in theirs} == {currency}

    def test_postcodes_have_four_digits(self, orders: list[dict[str, Any]]) -> None:
        codes = {o["deliveryPostalCode"] for o in orders if o["deliveryPostalCode"]}
        assert codes and all(re.fullmatch(r"\d{4}", c) for c in codes)

    def test_the_big_nz_cities_and_rural_addresses_appear(
        self, orders: list[dict[str, Any]]
    ) -> None:
        cities = {o["deliveryCity"] for o in orders}
        assert {"Auckland", "Wellington", "Christchurch"} <= cities
        assert any(re.fullmatch(r"RD \d", o["deliveryAddress2"] or "") for o in orders)

    def test_australian_addresses_carry_a_state(self, orders: list[dict[str, Any]]) -> None:
        states = {o["deliveryState"] for o in orders if o["deliveryCountry"] == "Australia"}
        assert len(states) >= 4 and states <= {"NSW", "VIC", "QLD", "WA", "SA", "TAS", "NT", "ACT"}

    @pytest.mark.parametrize("field", ["deliveryCity", "deliveryPostalCode"])
    def test_a_few_addresses_lack_a_city_or_postcode(
        self, orders: list[dict[str, Any]], field: str
    ) -> None:
        assert 0 < sum(1 for o in orders if not o[field]) < len(orders) // 10

    @pytest.mark.parametrize(
        "script",
        [
            lambda ch: ch in "āēīōū",  # Māori macrons
            lambda ch: ch in "öé",
            lambda ch: "\u4e00" <= ch <= "\u9fff",  # CJK
            lambda ch: "\u0590" <= ch <= "\u06ff",  # Hebrew or Arabic: right to left
        ],
        ids=["macron", "accent", "cjk", "rtl"],
    )
    def test_customer_names_are_written_in_many_scripts(
        self, orders: list[dict[str, Any]], script: Any
    ) -> None:
        names = " ".join(f"{o['firstName']} {o['lastName']}" for o in orders)
        assert any(script(ch) for ch in names)


class TestCatalogue:
    def test_about_thirty_products_with_every_kind_of_stock_control(
        self, products: list[dict[str, Any]]
    ) -> None:
        assert 25 <= len(products) <= 40
        assert {"FIFO", "Batch", "Serial"} <= {p["stockControl"] for p in products}

    def test_size_grid_products_are_batch_controlled_and_their_lines_carry_size_codes(
        self, products: list[dict[str, Any]], orders: list[dict[str, Any]]
    ) -> None:
        grid = {p["id"] for p in products if p["sizeRangeId"] is not None}
        assert grid and all(p["stockControl"] == "Batch" for p in products if p["id"] in grid)
        lines = [li for o in orders for li in o["lineItems"] if li["productId"] in grid]
        assert lines and all(li["sizeCodes"] for li in lines)

    def test_barcodes_are_ean13_with_a_valid_check_digit(
        self, products: list[dict[str, Any]]
    ) -> None:
        for option in (o for p in products for o in p["productOptions"]):
            digits = [int(d) for d in option["barcode"]]
            assert len(digits) == 13
            assert sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0

    def test_products_and_options_have_weights(self, products: list[dict[str, Any]]) -> None:
        assert all(p["weight"] > 0 for p in products)
        assert all(o["optionWeight"] > 0 for p in products for o in p["productOptions"])

    def test_three_active_branches_that_orders_use(
        self, demo: SandboxState, orders: list[dict[str, Any]]
    ) -> None:
        assert len(demo.branches) == 3
        for branch in demo.branches:
            assert {
                "id",
                "company",
                "isActive",
                "branchType",
                "address1",
                "city",
                "postCode",
                "country",
            } <= set(branch)
        assert {o["branchId"] for o in orders} == {b["id"] for b in demo.branches}

    def test_stock_has_a_row_per_option_per_branch_that_adds_up(
        self, demo: SandboxState, products: list[dict[str, Any]]
    ) -> None:
        options = [o for p in products for o in p["productOptions"]]
        assert len(demo.stock) == len(options) * len(demo.branches)
        for row in demo.stock:
            assert row["available"] == row["stockOnHand"] - row["openSales"]
            assert {"incoming", "holding", "modifiedDate", "branchName"} <= set(row)
        for option in options:
            rows = [r for r in demo.stock if r["productOptionId"] == option["id"]]
            assert option["stockOnHand"] == sum(r["stockOnHand"] for r in rows)


def test_the_same_seed_and_time_give_the_same_demo() -> None:
    first, second = (SandboxState(clock=FakeClock(NOW.timestamp())) for _ in range(2))
    seed_demo(first, order_count=100, seed=11)
    seed_demo(second, order_count=100, seed=11)
    assert (first.orders, first.products, first.stock) == (
        second.orders,
        second.products,
        second.stock,
    )


def test_a_different_seed_gives_different_orders() -> None:
    first, second = (SandboxState(clock=FakeClock(NOW.timestamp())) for _ in range(2))
    seed_demo(first, order_count=50, seed=11)
    seed_demo(second, order_count=50, seed=12)
    assert first.orders != second.orders


def test_now_anchors_the_dates_instead_of_the_clock() -> None:
    state = SandboxState(clock=FakeClock(NOW.timestamp()))
    seed_demo(state, order_count=40, now=NOW - timedelta(days=365))
    latest = max(parse_date(o["modifiedDate"]) for o in state.orders.values())
    assert latest <= NOW - timedelta(days=365)
