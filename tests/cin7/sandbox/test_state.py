"""The in-memory account: finding and touching orders, bulk orders, the request log, faults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from station.cin7.sandbox import Faults, Limits, LoggedRequest, SandboxState, seed_demo
from station.cin7.sandbox.schema import parse_date
from tests.cin7.sandbox.conftest import START, FakeClock, iso


@pytest.fixture
def state(clock: FakeClock) -> SandboxState:
    account = SandboxState(clock=clock)
    seed_demo(account, order_count=20)
    return account


def test_order_by_reference_finds_the_order_or_none(state: SandboxState) -> None:
    order = state.orders[min(state.orders)]
    assert state.order_by_reference(order["reference"]) is order
    assert state.order_by_reference("SO-0") is None


def test_touch_order_applies_changes_and_moves_modified_date_to_the_clock(
    state: SandboxState, clock: FakeClock
) -> None:
    order_id = min(state.orders)
    clock.advance(3600)
    touched = state.touch_order(order_id, stage="On Hold", deliveryCity="Ōtautahi")
    assert touched is state.orders[order_id]
    assert (touched["stage"], touched["deliveryCity"]) == ("On Hold", "Ōtautahi")
    assert touched["modifiedDate"] == iso(START + 3600)


def test_touch_order_of_an_unknown_order_raises_key_error(state: SandboxState) -> None:
    with pytest.raises(KeyError):
        state.touch_order(999_999, stage="New")


def test_dispatch_order_ships_every_line_with_tracking_at_the_clock(
    state: SandboxState, clock: FakeClock
) -> None:
    order_id = next(
        i for i, o in state.orders.items() if o["lineItems"] and not o["dispatchedDate"]
    )
    clock.advance(60)

    order = state.dispatch_order(order_id, tracking_code="NZP123456789", carrier="NZ Post")

    assert (order["stage"], order["trackingCode"], order["logisticsCarrier"]) == (
        "Dispatched",
        "NZP123456789",
        "NZ Post",
    )
    assert order["dispatchedDate"] == order["modifiedDate"] == iso(START + 60)
    assert [line["qtyShipped"] for line in order["lineItems"]] == [
        line["qty"] for line in order["lineItems"]
    ]


def test_dispatch_order_keeps_a_given_date_and_refuses_a_tracking_code_cin7_cannot_hold(
    state: SandboxState,
) -> None:
    order_id = min(state.orders)
    when = datetime(2026, 5, 1, 3, 4, 5, tzinfo=UTC)

    order = state.dispatch_order(order_id, tracking_code="T1", carrier="", dispatched=when)

    assert order["dispatchedDate"] == "2026-05-01T03:04:05Z"
    with pytest.raises(ValueError, match="at most 50 characters"):
        state.dispatch_order(order_id, tracking_code="X" * 51, carrier="NZ Post")
    with pytest.raises(KeyError):
        state.dispatch_order(999_999, tracking_code="T1", carrier="NZ Post")


@pytest.mark.parametrize("count", [1000, 5000])
def test_add_orders_adds_that_many_new_orders_with_new_ids(state: SandboxState, count: int) -> None:
    before = set(state.orders)
    ids = state.add_orders(count)
    assert len(ids) == len(set(ids)) == count
    assert not set(ids) & before
    assert len(state.orders) == len(before) + count


def test_add_orders_creates_them_between_start_and_the_clock(
    state: SandboxState, clock: FakeClock
) -> None:
    start = datetime.fromtimestamp(clock(), UTC) - timedelta(days=5)
    ids = state.add_orders(200, start=start)
    for order_id in ids:
        order = state.orders[order_id]
        created, modified = parse_date(order["createdDate"]), parse_date(order["modifiedDate"])
        assert start - timedelta(seconds=1) <= created <= modified <= start + timedelta(days=5)


def test_add_orders_on_an_empty_account_brings_the_catalogue(clock: FakeClock) -> None:
    state = SandboxState(clock=clock)
    state.add_orders(3)
    assert len(state.orders) == 3 and state.products and len(state.branches) == 3


def test_add_orders_is_repeatable_with_the_same_seed(clock: FakeClock) -> None:
    first, second = SandboxState(clock=clock), SandboxState(clock=clock)
    assert first.add_orders(50, seed=5) == second.add_orders(50, seed=5)
    assert first.orders == second.orders


def test_api_calls_keeps_only_api_requests_at_or_after_since() -> None:
    state = SandboxState()
    for t, path in [(1.0, "/api/v1/Branches"), (2.0, "/Cloud/Apps/X"), (3.0, "/api/v1/Stock")]:
        state.log(LoggedRequest(t, "GET", path, {}, 200))
    assert [r.path for r in state.api_calls()] == ["/api/v1/Branches", "/api/v1/Stock"]
    assert [r.t for r in state.api_calls(since=2.0)] == [3.0]
    assert len(state.requests) == 3


def test_unlimited_limits_are_far_above_cin7s() -> None:
    assert Limits() == Limits(per_second=3, per_minute=60, per_day=5000)
    unlimited = Limits.unlimited()
    assert unlimited.per_second > 10_000 and unlimited.per_day > 10_000_000


class TestFaults:
    def test_planned_faults_come_out_in_the_order_they_were_planned(self) -> None:
        faults = Faults()
        faults.fail_next(429, count=2, retry_after=5)
        faults.malformed_next()
        faults.slow_next(0.5)
        planned = [faults.next_fault() for _ in range(5)]
        assert [(f.kind, f.status, f.retry_after) for f in planned[:3] if f] == [
            ("status", 429, 5),
            ("status", 429, 5),
            ("malformed", 0, None),
        ]
        assert planned[3] is not None and planned[3].seconds == 0.5
        assert planned[4] is None

    def test_random_faults_repeat_with_the_same_seed(self) -> None:
        runs = []
        for _ in range(2):
            faults = Faults()
            faults.random(0.5, statuses=(429, 503), seed=3)
            runs.append([f.status if (f := faults.next_fault()) else 200 for _ in range(20)])
        assert runs[0] == runs[1]
        assert {200, 429, 503} == set(runs[0])

    def test_fail_items_names_the_error_for_those_orders_only(self) -> None:
        faults = Faults()
        faults.fail_items(7, 8, message="Branch is locked")
        assert faults.item_error(7) == faults.item_error(8) == "Branch is locked"
        assert faults.item_error(9) is None

    def test_clear_switches_everything_off(self) -> None:
        faults = Faults()
        faults.fail_next(500, count=3)
        faults.fail_items(7)
        faults.random(1.0)
        faults.clear()
        assert faults.next_fault() is None and faults.item_error(7) is None

    @pytest.mark.parametrize(
        "plan",
        [
            lambda f: f.fail_next(200),
            lambda f: f.fail_next(500, count=-1),
            lambda f: f.slow_next(-1.0),
            lambda f: f.random(1.5),
            lambda f: f.random(0.5, statuses=()),
        ],
    )
    def test_nonsense_is_refused(self, plan: object) -> None:
        with pytest.raises(ValueError):
            plan(Faults())  # type: ignore[operator]
