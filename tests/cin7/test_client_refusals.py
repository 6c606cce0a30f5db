"""What the strict sandbox refuses, as the client meets it: each refusal is a sentence.

The sandbox refuses what ``shared/cin7-omni.md`` says Cin7 refuses (its own tests are in
``tests/cin7/sandbox``). Here the client talks to it over HTTP and each refusal comes
back as an error or an item result that names the problem for the person who must act,
and what Station itself sends passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from station.cin7.client import Cin7Client, RetryPolicy
from station.cin7.cursor import ORDER
from station.cin7.errors import Cin7AuthError, Cin7RequestRejected
from station.cin7.filters import in_filters
from station.cin7.ratelimit import CallLimits, InMemoryRateLimiter
from station.cin7.sandbox import (
    DEMO_API_KEY,
    DEMO_USERNAME,
    Limits,
    SandboxServer,
    SandboxState,
    create_sandbox,
    seed_demo,
    serve_sandbox,
)
from station.cin7.selection import OrderSelection
from tests.fakes.clock import FakeClock

FREE = CallLimits(per_second=10_000, per_minute=10_000, per_day=10_000_000)


@pytest.fixture
def sandbox_orders() -> int:
    return 40


@pytest.fixture
def sandbox_limits() -> Limits:
    return Limits.unlimited()


@pytest.fixture
def client(sandbox: SandboxServer) -> Iterator[Cin7Client]:
    with Cin7Client.connect(
        sandbox.base_url,
        DEMO_USERNAME,
        DEMO_API_KEY,
        limiter=InMemoryRateLimiter(FREE),
        retry=RetryPolicy(attempts=3, base_wait=0.0),
        sleep=lambda _: None,
        timeout=5.0,
    ) as client:
        yield client


def open_order(state: SandboxState) -> int:
    return next(
        o["id"]
        for o in state.orders.values()
        if not o["isVoid"] and o["dispatchedDate"] is None and o["lineItems"]
    )


class TestLists:
    @pytest.mark.parametrize(
        ("resource", "where", "order"),
        [
            ("SalesOrders", "colour = 'red'", None),
            ("SalesOrders", None, "colour ASC"),
            ("Products", "id IN (101) AND colour IS NULL", None),
            ("Stock", None, "colour DESC"),
        ],
    )
    def test_a_filter_on_an_unknown_field_is_rejected_naming_the_field(
        self, client: Cin7Client, resource: str, where: str | None, order: str | None
    ) -> None:
        with pytest.raises(Cin7RequestRejected) as refused:
            client.list_page(resource, where=where, order=order)
        message = str(refused.value)
        assert f"Cin7 rejected GET v1/{resource} (HTTP 400)" in message
        assert "'colour'" in message and "not a field" in message

    def test_a_rejected_filter_is_not_retried(
        self, client: Cin7Client, sandbox: SandboxServer
    ) -> None:
        with pytest.raises(Cin7RequestRejected):
            client.sales_orders(where="colour = 'red'")
        assert len(sandbox.state.api_calls()) == 1

    def test_every_filter_station_sends_names_fields_cin7_has(
        self, client: Cin7Client, sandbox: SandboxServer
    ) -> None:
        selection = OrderSelection(branch_ids=(1, 2), stages=("New", "Fully Picked"))
        where = selection.first_sync_filter(datetime.now(UTC))
        client.sales_orders(where=where, order=ORDER)
        client.sales_orders(where=f"{where} AND modifiedDate = '2026-05-01T00:00:00Z' AND id > 3")
        for query in in_filters("id", [1001, 1002]) + in_filters("reference", ["SO-1001"]):
            client.sales_orders(where=query, order=None)
        client.products(where="id IN (101, 102)")
        client.product_options(where=in_filters("code", ["MUG-SAND"])[0])
        client.stock()
        client.branches()
        assert {r.status for r in sandbox.state.api_calls()} == {200}

    def test_page_zero_is_page_one_on_both_sides(self, client: Cin7Client) -> None:
        assert client.list_page("SalesOrders", page=0, rows=5) == client.list_page(
            "SalesOrders", page=1, rows=5
        )


class TestUpdates:
    def test_an_update_to_a_void_order_fails_with_cin7s_sentence(
        self, client: Cin7Client, sandbox: SandboxServer
    ) -> None:
        void = open_order(sandbox.state)
        sandbox.state.touch_order(void, isVoid=True, status="VOID")
        other = open_order(sandbox.state)

        results = client.update_sales_orders(
            [{"id": void, "stage": "Dispatched"}, {"id": other, "stage": "Dispatched"}]
        )

        assert [r.success for r in results] == [False, True]
        assert list(results[0].errors) == [f"Sales order {void} is void and cannot be updated."]

    def test_a_freight_total_that_is_not_a_number_fails_with_a_sentence(
        self, client: Cin7Client, sandbox: SandboxServer
    ) -> None:
        order_id = open_order(sandbox.state)
        (result,) = client.update_sales_orders([{"id": order_id, "freightTotal": "abc"}])
        assert not result.success
        assert list(result.errors) == ["freightTotal must be a number, not 'abc'."]

    @pytest.mark.parametrize("sent", ["12.50", 12.5, str(Decimal("12.50"))])
    def test_freight_comes_back_as_the_number_station_sent(
        self, client: Cin7Client, sandbox: SandboxServer, sent: object
    ) -> None:
        order_id = open_order(sandbox.state)
        (result,) = client.update_sales_orders(
            [{"id": order_id, "freightTotal": sent, "freightDescription": "NZ Post"}]
        )
        assert result.success
        order = client.sales_order(order_id)
        assert order is not None and order.freight_total == Decimal("12.5")

    def test_a_read_only_field_fails_the_item_naming_it(
        self, client: Cin7Client, sandbox: SandboxServer
    ) -> None:
        order_id = open_order(sandbox.state)
        (result,) = client.update_sales_orders([{"id": order_id, "status": "APPROVED"}])
        assert list(result.errors) == ["status is read-only and cannot be set."]


class TestCreates:
    def test_an_order_carrying_an_id_is_refused_and_nothing_is_made(
        self, client: Cin7Client, sandbox: SandboxServer
    ) -> None:
        before = len(sandbox.state.orders)
        (result,) = client.create_sales_orders(
            [{"id": 1001, "reference": "WEB-9", "lineItems": [{"code": "MUG-SAND", "qty": 1}]}]
        )
        assert (result.success, result.id) == (False, None)
        assert "cannot carry an id" in result.errors[0]
        assert len(sandbox.state.orders) == before

    def test_an_order_that_does_not_say_is_approved(
        self, client: Cin7Client, sandbox: SandboxServer
    ) -> None:
        (result,) = client.create_sales_orders(
            [{"reference": "WEB-10", "lineItems": [{"code": "MUG-SAND", "qty": "2"}]}]
        )
        order = client.sales_order(result.id or 0)
        assert order is not None and order.is_approved and order.status == "APPROVED"
        assert sandbox.state.orders[result.id or 0]["lineItems"][0]["qty"] == 2

    def test_a_line_price_that_is_not_a_number_names_the_line(self, client: Cin7Client) -> None:
        (result,) = client.create_sales_orders(
            [{"reference": "WEB-11", "lineItems": [{"code": "MUG-SAND", "unitPrice": "x"}]}]
        )
        assert list(result.errors) == ["Line 1: unitPrice must be a number, not 'x'."]


class TestAuthAndLimits:
    def test_a_401_challenge_is_one_call_and_a_sentence_without_the_key(
        self, sandbox: SandboxServer
    ) -> None:
        with (
            Cin7Client.connect(
                sandbox.base_url, DEMO_USERNAME, "wrong-key", limiter=InMemoryRateLimiter(FREE)
            ) as client,
            pytest.raises(Cin7AuthError) as refused,
        ):
            client.sales_orders()
        assert "Settings → Cin7" in str(refused.value) and "wrong-key" not in str(refused.value)
        assert [r.status for r in sandbox.state.api_calls()] == [401]

    def test_a_429_without_retry_after_waits_for_the_next_second_then_succeeds(self) -> None:
        clock = FakeClock()
        state = SandboxState(clock=clock)
        seed_demo(state, order_count=5)
        with (
            serve_sandbox(create_sandbox(state, limits=Limits(), clock=clock)) as server,
            Cin7Client.connect(
                server.base_url,
                DEMO_USERNAME,
                DEMO_API_KEY,
                limiter=InMemoryRateLimiter(FREE),  # Station's own pacing is not tested here
                sleep=clock.sleep,
                timeout=5.0,
            ) as client,
        ):
            pages = [client.branches() for _ in range(4)]

        statuses = [r.status for r in state.api_calls()]
        assert statuses == [200, 200, 200, 429, 200]
        assert all(pages) and len(clock.slept) == 1 and clock.slept[0] >= 1.0
