"""What the sandbox's demo data guarantees, read as raw Cin7 JSON through the sandbox's API."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from station.cin7.sandbox import (
    DEMO_API_KEY,
    DEMO_USERNAME,
    Limits,
    SandboxState,
    create_sandbox,
    seed_demo,
)

NOW = datetime(2026, 5, 1, 3, 4, 5, 678_000, tzinfo=UTC)
CIN7_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


def fixed_clock(at: datetime = NOW) -> Callable[[], float]:
    return lambda: at.timestamp()


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def read_all(state: SandboxState, resource: str) -> list[dict[str, Any]]:
    """Every record of ``resource`` as the API answers it, page by page (in-process)."""
    app = create_sandbox(state, limits=Limits.unlimited(), clock=state.clock)
    records: list[dict[str, Any]] = []
    with httpx.Client(
        transport=httpx.WSGITransport(app=app),
        base_url="http://sandbox",
        auth=(DEMO_USERNAME, DEMO_API_KEY),
    ) as http:
        for page in range(1, 1000):
            batch = http.get(f"/api/v1/{resource}", params={"rows": 250, "page": page}).json()
            records += batch
            if len(batch) < 250:
                return records
    raise AssertionError("the list never ended")


@pytest.fixture(scope="module")
def demo() -> SandboxState:
    state = SandboxState(clock=fixed_clock())
    seed_demo(state)
    return state


@pytest.fixture(scope="module")
def orders(demo: SandboxState) -> list[dict[str, Any]]:
    return read_all(demo, "SalesOrders")


@pytest.fixture(scope="module")
def products(demo: SandboxState) -> list[dict[str, Any]]:
    return read_all(demo, "Products")


def in_default_sync_selection(order: dict[str, Any]) -> bool:
    """Station's default selection: approved, not void, not dispatched, created in the last 30 days."""
    return (
        order["isApproved"] is True
        and order["isVoid"] is False
        and order["dispatchedDate"] is None
        and parse(order["createdDate"]) >= NOW - timedelta(days=30)
    )


def test_the_demo_has_at_least_300_orders(orders: list[dict[str, Any]]) -> None:
    assert len(orders) >= 300


def test_at_least_300_orders_fall_in_the_default_sync_selection(
    orders: list[dict[str, Any]],
) -> None:
    assert sum(in_default_sync_selection(o) for o in orders) >= 300


def test_the_demo_has_three_active_branches_that_orders_use(
    demo: SandboxState, orders: list[dict[str, Any]]
) -> None:
    branches = read_all(demo, "Branches")
    assert len(branches) == 3 and all(b["isActive"] for b in branches)
    assert {o["branchId"] for o in orders} == {b["id"] for b in branches}


def test_products_use_fifo_batch_and_serial_stock_control(products: list[dict[str, Any]]) -> None:
    assert {"FIFO", "Batch", "Serial"} <= {p["stockControl"] for p in products}


def test_a_size_grid_product_is_batch_controlled_and_on_some_order_line(
    products: list[dict[str, Any]], orders: list[dict[str, Any]]
) -> None:
    size_grid = {
        p["id"] for p in products if p["stockControl"] == "Batch" and p["sizeRangeId"] is not None
    }
    assert size_grid
    grid_lines = [li for o in orders for li in o["lineItems"] if li["productId"] in size_grid]
    assert grid_lines
    assert all(li["sizeCodes"] for li in grid_lines)


def test_every_order_line_names_a_real_product_option(
    products: list[dict[str, Any]], orders: list[dict[str, Any]]
) -> None:
    options = {(o["productId"], o["id"], o["code"]) for p in products for o in p["productOptions"]}
    lines = {
        (li["productId"], li["productOptionId"], li["code"])
        for o in orders
        for li in o["lineItems"]
    }
    assert lines <= options


def test_stock_has_a_row_per_option_per_branch(
    demo: SandboxState, products: list[dict[str, Any]]
) -> None:
    stock = read_all(demo, "Stock")
    option_count = sum(len(p["productOptions"]) for p in products)
    assert len(stock) == option_count * 3
    assert all(row["available"] == row["stockOnHand"] - row["openSales"] for row in stock)


@pytest.mark.parametrize("country", ["New Zealand", "Australia"])
def test_orders_ship_to_new_zealand_and_australia(
    orders: list[dict[str, Any]], country: str
) -> None:
    assert any(o["deliveryCountry"] == country and o["deliveryCity"] for o in orders)


def test_some_customer_names_are_not_ascii(orders: list[dict[str, Any]]) -> None:
    names = {o["firstName"] + " " + o["lastName"] for o in orders}
    assert any(not name.isascii() for name in names)
    assert any(
        not ch.isascii() and ord(ch) > 0x2000 for name in names for ch in name
    )  # beyond Latin


def test_some_delivery_addresses_are_incomplete(orders: list[dict[str, Any]]) -> None:
    assert any(not o["deliveryCity"] for o in orders)


@pytest.mark.parametrize(
    "kind",
    ["void", "draft", "dispatched"],
)
def test_some_orders_are_void_draft_or_dispatched(orders: list[dict[str, Any]], kind: str) -> None:
    matches = {
        "void": lambda o: o["isVoid"] is True and o["status"] == "VOID",
        "draft": lambda o: (
            o["isApproved"] is False and o["isVoid"] is False and o["status"] == "DRAFT"
        ),
        "dispatched": lambda o: o["dispatchedDate"] is not None and o["stage"] == "Dispatched",
    }[kind]
    assert any(matches(o) for o in orders)


def test_dispatched_orders_have_shipped_every_line(orders: list[dict[str, Any]]) -> None:
    dispatched = [o for o in orders if o["dispatchedDate"] is not None]
    assert dispatched
    assert all(li["qtyShipped"] == li["qty"] for o in dispatched for li in o["lineItems"])


def test_the_same_seed_gives_the_same_demo() -> None:
    first, second = SandboxState(clock=fixed_clock()), SandboxState(clock=fixed_clock())
    seed_demo(first, order_count=120, seed=11)
    seed_demo(second, order_count=120, seed=11)
    assert first.orders == second.orders
    assert (first.products, first.stock, first.branches) == (
        second.products,
        second.stock,
        second.branches,
    )


def test_a_different_seed_gives_different_orders() -> None:
    first, second = SandboxState(clock=fixed_clock()), SandboxState(clock=fixed_clock())
    seed_demo(first, order_count=50, seed=11)
    seed_demo(second, order_count=50, seed=12)
    assert first.orders != second.orders


def test_add_orders_adds_five_thousand_new_orders() -> None:
    state = SandboxState(clock=fixed_clock())
    seed_demo(state, order_count=10)
    before = set(state.orders)
    ids = state.add_orders(5000)
    assert len(ids) == len(set(ids)) == 5000
    assert not set(ids) & before
    assert len(state.orders) == 5010


def test_add_orders_on_an_empty_account_adds_the_catalogue_too() -> None:
    state = SandboxState(clock=fixed_clock())
    state.add_orders(3)
    assert len(state.orders) == 3 and state.products and len(state.branches) == 3


def dates_of(state: SandboxState) -> list[tuple[str, str]]:
    return [(o["createdDate"], o["modifiedDate"]) for o in state.orders.values()]


@pytest.fixture(scope="module")
def grown() -> SandboxState:
    """A demo that grew: seeded, then given more orders later."""
    state = SandboxState(clock=fixed_clock())
    seed_demo(state)
    state.clock = fixed_clock(NOW + timedelta(days=3, seconds=0.25))
    state.add_orders(500)
    return state


def test_dates_are_whole_seconds_in_utc_with_z(grown: SandboxState) -> None:
    for created, modified in dates_of(grown):
        assert CIN7_DATE.match(created), created
        assert CIN7_DATE.match(modified), modified


def test_modified_date_is_never_in_the_future_nor_before_creation(grown: SandboxState) -> None:
    now = datetime.fromtimestamp(grown.clock(), UTC)
    for created, modified in dates_of(grown):
        assert parse(created) <= parse(modified) <= now


def test_seeded_orders_are_no_later_than_the_clock(demo: SandboxState) -> None:
    assert max(parse(m) for _, m in dates_of(demo)) <= NOW
