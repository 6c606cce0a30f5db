"""The Cin7 client against the sandbox over real HTTP: paging, filters, errors, retries."""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from station.cin7.client import CallRecord, Cin7Client, Deadline, RetryPolicy, WebAnswer
from station.cin7.errors import (
    Cin7AuthError,
    Cin7BadResponse,
    Cin7NotFound,
    Cin7RateLimited,
    Cin7RequestRejected,
    Cin7Unavailable,
)
from station.cin7.ratelimit import CallLimits, InMemoryRateLimiter
from station.cin7.sandbox import (
    DEMO_API_KEY,
    DEMO_USERNAME,
    Limits,
    SandboxServer,
    SandboxState,
)

FREE = CallLimits(per_second=10_000, per_minute=10_000, per_day=10_000_000)


@pytest.fixture
def sandbox_orders() -> int:
    return 300


@pytest.fixture
def sandbox_limits() -> Limits:
    return Limits.unlimited()


@pytest.fixture
def state(sandbox_state: SandboxState) -> SandboxState:
    return sandbox_state


@pytest.fixture
def server(sandbox: SandboxServer) -> SandboxServer:
    return sandbox


class Sleeps:
    """Records the waits a client asks for instead of sleeping."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def records() -> list[CallRecord]:
    return []


@pytest.fixture
def client(
    server: SandboxServer, sleeps: Sleeps, records: list[CallRecord]
) -> Iterator[Cin7Client]:
    with Cin7Client.connect(
        server.base_url,
        DEMO_USERNAME,
        DEMO_API_KEY,
        limiter=InMemoryRateLimiter(FREE),
        sleep=sleeps,
        observer=records.append,
        timeout=5.0,
    ) as client:
        yield client


def tried_twice(base_url: str, sleeps: Sleeps, **options: Any) -> Cin7Client:
    """A client at ``base_url`` that makes two attempts per call, unpaced."""
    return Cin7Client.connect(
        base_url,
        DEMO_USERNAME,
        DEMO_API_KEY,
        limiter=InMemoryRateLimiter(FREE),
        sleep=sleeps,
        retry=RetryPolicy(attempts=2),
        **options,
    )


class TestReading:
    def test_pages_are_bare_arrays_of_at_most_250(
        self, client: Cin7Client, state: SandboxState
    ) -> None:
        state.add_orders(300)  # 600 in all

        pages = [client.list_page("SalesOrders", page=p, rows=999) for p in (1, 2, 3, 4)]

        assert [len(p) for p in pages] == [250, 250, 100, 0]
        ids = [o["id"] for page in pages for o in page]
        assert len(set(ids)) == 600 == len(state.orders)

    def test_filters_and_order_reach_cin7(self, client: Cin7Client, state: SandboxState) -> None:
        orders = client.sales_orders(where="stage = 'On Hold' AND isVoid = false", order="id DESC")

        expected = sorted(
            (o["id"] for o in state.orders.values() if o["stage"] == "On Hold" and not o["isVoid"]),
            reverse=True,
        )
        assert [o.id for o in orders] == expected[:250]
        assert all(o.stage == "On Hold" for o in orders)

    def test_orders_come_back_typed(self, client: Cin7Client, state: SandboxState) -> None:
        raw = next(iter(state.orders.values()))

        order = client.sales_order(raw["id"])

        assert order is not None and order.reference == raw["reference"]
        assert order.modified_date.tzinfo is UTC
        assert [line.code for line in order.lines] == [li["code"] for li in raw["lineItems"]]

    def test_an_unknown_order_is_none(self, client: Cin7Client) -> None:
        assert client.sales_order(987654) is None

    def test_products_stock_and_branches(self, client: Cin7Client) -> None:
        products = client.products()
        stock = client.stock(where="branchId = 1")
        branches = client.branches()

        assert any(p.size_range_id for p in products) and all(p.options for p in products)
        assert stock and {row.branch_id for row in stock} == {1}
        assert [b.company for b in branches] == [
            "Auckland Warehouse",
            "Christchurch Store",
            "Sydney 3PL",
        ]

    def test_iter_pages_reads_a_filtered_list_in_as_few_calls_as_it_can(
        self, client: Cin7Client, state: SandboxState
    ) -> None:
        state.add_orders(300)  # 600 in all
        where = "isVoid = false"
        wanted = sorted(o["id"] for o in state.orders.values() if not o["isVoid"])
        start = len(state.api_calls())

        pages = list(client.iter_pages("SalesOrders", where=where, order="id ASC"))

        assert [o["id"] for page in pages for o in page] == wanted
        calls = state.api_calls()[start:]
        assert len(calls) == len(wanted) // 250 + 1
        assert {c.query["where"] for c in calls} == {where}

    def test_iter_pages_stops_at_the_expected_total(
        self, client: Cin7Client, state: SandboxState
    ) -> None:
        state.add_orders(200)  # 500 in all: two full pages

        pages = list(client.iter_pages("SalesOrders", order="id ASC", expected_total=500))

        assert [len(p) for p in pages] == [250, 250] and len(state.api_calls()) == 2

    def test_a_malformed_filter_is_rejected_with_cin7s_message(self, client: Cin7Client) -> None:
        with pytest.raises(Cin7RequestRejected, match="invalid"):
            client.sales_orders(where="stage = = 'x'")


class TestFailures:
    def test_wrong_credentials_say_what_to_check(self, server: SandboxServer) -> None:
        with (
            Cin7Client.connect(
                server.base_url, DEMO_USERNAME, "wrong-key", limiter=InMemoryRateLimiter(FREE)
            ) as client,
            pytest.raises(Cin7AuthError, match="API username/key") as excinfo,
        ):
            client.branches()
        assert "wrong-key" not in str(excinfo.value)

    def test_429_is_retried_after_retry_after(
        self, client: Cin7Client, state: SandboxState, sleeps: Sleeps
    ) -> None:
        state.faults.fail_next(429, count=2, retry_after=2)

        assert len(client.branches()) == 3
        assert sleeps.waits == [2.0, 2.0]
        assert [r.status for r in state.api_calls()] == [429, 429, 200]

    def test_500_is_retried_with_backoff(
        self, client: Cin7Client, state: SandboxState, sleeps: Sleeps
    ) -> None:
        state.faults.fail_next(500, count=1)

        assert len(client.branches()) == 3
        assert len(sleeps.waits) == 1 and 0 <= sleeps.waits[0] <= 30

    def test_429_that_never_ends_becomes_a_clear_error(
        self, client: Cin7Client, state: SandboxState
    ) -> None:
        state.faults.fail_next(429, count=10, retry_after=1)

        with pytest.raises(Cin7RateLimited, match="rate limit") as excinfo:
            client.branches()
        assert excinfo.value.retry_after == 1.0
        # Without a deadline (a person's click) 429s are failed attempts: it answers soon.
        assert len(state.api_calls()) == RetryPolicy().attempts

    def test_cin7_down_becomes_unavailable(self, client: Cin7Client, state: SandboxState) -> None:
        state.faults.fail_next(503, count=10)

        with pytest.raises(Cin7Unavailable, match="HTTP 503"):
            client.branches()

    def test_malformed_json_is_a_clear_error_not_a_traceback(
        self, client: Cin7Client, state: SandboxState
    ) -> None:
        state.faults.malformed_next()

        with pytest.raises(Cin7BadResponse, match="malformed JSON"):
            client.sales_orders()

    def test_a_slow_reply_times_out_and_is_retried(
        self, server: SandboxServer, state: SandboxState, sleeps: Sleeps
    ) -> None:
        state.faults.slow_next(1.0, count=1)
        with Cin7Client.connect(
            server.base_url,
            DEMO_USERNAME,
            DEMO_API_KEY,
            limiter=InMemoryRateLimiter(FREE),
            sleep=sleeps,
            timeout=0.3,
        ) as client:
            assert len(client.branches()) == 3
        assert len(sleeps.waits) == 1

    def test_a_reply_that_stays_slow_becomes_unavailable(
        self, server: SandboxServer, state: SandboxState, sleeps: Sleeps
    ) -> None:
        state.faults.slow_next(0.6, count=2)
        with (
            tried_twice(server.base_url, sleeps, timeout=0.2) as client,
            pytest.raises(Cin7Unavailable, match="did not answer in time"),
        ):
            client.branches()
        assert len(sleeps.waits) == 1 and client.calls_made == 2

    def test_unreachable_cin7_names_the_host(self, sleeps: Sleeps) -> None:
        with (
            tried_twice("http://127.0.0.1:9/api", sleeps) as client,
            pytest.raises(Cin7Unavailable, match="Cannot reach Cin7 at 127.0.0.1"),
        ):
            client.branches()

    @pytest.mark.parametrize(
        ("lookup_error", "attempts", "said"),
        [
            (socket.EAI_NONAME, 1, "cin7.mistyped: no host has that name. Check the API"),
            (socket.EAI_AGAIN, 2, "Cannot reach Cin7 at cin7.mistyped: .*Temporary failure"),
        ],
        ids=["no-such-name", "lookup-failed"],
    )
    def test_a_name_that_does_not_exist_is_said_at_once_a_failed_lookup_is_retried(
        self,
        sleeps: Sleeps,
        monkeypatch: pytest.MonkeyPatch,
        lookup_error: int,
        attempts: int,
        said: str,
    ) -> None:
        def resolver(host: Any, *args: Any, **kwargs: Any) -> Any:
            raise socket.gaierror(lookup_error, "Temporary failure in name resolution")

        monkeypatch.setattr(socket, "getaddrinfo", resolver)  # the machine's DNS answering
        with (
            tried_twice("https://cin7.mistyped/api", sleeps) as client,
            pytest.raises(Cin7Unavailable, match=said),
        ):
            client.branches()
        assert client.calls_made == attempts and len(sleeps.waits) == attempts - 1

    def test_every_attempt_is_reported_to_the_observer(
        self, client: Cin7Client, state: SandboxState, records: list[CallRecord]
    ) -> None:
        state.faults.fail_next(429, count=1, retry_after=0)

        client.branches()

        assert [(r.status, r.attempt) for r in records] == [(429, 1), (200, 2)]
        assert client.calls_made == 2


class TestWriting:
    def test_batch_update_reports_each_item(self, client: Cin7Client, state: SandboxState) -> None:
        first, second = list(state.orders)[:2]
        stamp = datetime(2026, 5, 1, 3, 4, 5, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

        results = client.update_sales_orders(
            [
                {
                    "id": first,
                    "stage": "Dispatched",
                    "dispatchedDate": stamp,
                    "trackingCode": "NZP1",
                },
                {"id": 999999, "stage": "Dispatched"},
                {"id": second, "trackingCode": "x" * 51},
            ]
        )

        assert [(r.index, r.success) for r in results] == [(0, True), (1, False), (2, False)]
        assert "999999" in results[1].errors[0] and "50" in results[2].errors[0]
        assert state.orders[first]["stage"] == "Dispatched"
        assert state.orders[second]["trackingCode"] != "x" * 51

    def test_more_than_250_items_go_in_several_calls(
        self, client: Cin7Client, state: SandboxState
    ) -> None:
        ids = [i for i, order in state.orders.items() if not order["isVoid"]][:260]
        assert len(ids) == 260  # Cin7 refuses updates to void orders

        results = client.update_sales_orders(
            [{"id": i, "internalComments": "checked"} for i in ids]
        )

        assert [r.index for r in results] == list(range(260)) and all(r.success for r in results)
        puts = [r for r in state.api_calls() if r.method == "PUT"]
        assert [len(r.body) for r in puts] == [250, 10]

    def test_a_planned_item_error_fails_only_that_item(
        self, client: Cin7Client, state: SandboxState
    ) -> None:
        first, second = list(state.orders)[:2]
        state.faults.fail_items(second)

        results = client.update_sales_orders(
            [{"id": first, "stage": "On Hold"}, {"id": second, "stage": "On Hold"}]
        )

        assert [r.success for r in results] == [True, False]

    def test_create_names_unknown_skus(self, client: Cin7Client) -> None:
        results = client.create_sales_orders(
            [
                {
                    "reference": "WEB-1",
                    "isApproved": True,
                    "lineItems": [{"code": "KETE-NATURA", "qty": 1}],
                },
                {"reference": "WEB-2", "lineItems": [{"code": "NOPE-1", "qty": 1}]},
            ]
        )

        assert results[0].success and results[0].id
        assert not results[1].success and "NOPE-1" in results[1].errors[0]

    def test_a_create_starts_no_attempt_after_its_deadline(
        self, client: Cin7Client, state: SandboxState, sleeps: Sleeps
    ) -> None:
        start = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
        deadline = Deadline(
            start + timedelta(seconds=3), clock=lambda: start + timedelta(seconds=sum(sleeps.waits))
        )
        orders = len(state.orders)
        state.faults.fail_next(429, count=3, retry_after=2)

        with pytest.raises(Cin7RateLimited, match="rate limit"):
            client.create_sales_orders([{"reference": "WEB-1"}], deadline=deadline)

        assert sleeps.waits == [2.0]  # a third attempt would have started at 3 + 1 s
        assert [r.status for r in state.api_calls()] == [429, 429]
        assert len(state.orders) == orders

    def test_a_create_whose_deadline_has_passed_is_not_sent(
        self, client: Cin7Client, state: SandboxState
    ) -> None:
        start = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
        passed = Deadline(start, clock=lambda: start + timedelta(seconds=1))

        with pytest.raises(Cin7Unavailable, match="had to start by 03:00:00 UTC"):
            client.create_sales_orders([{"reference": "WEB-1"}], deadline=passed)
        assert state.api_calls() == []

    def test_shopify_trigger_url_is_fetched_without_pacing(
        self, client: Cin7Client, server: SandboxServer, state: SandboxState
    ) -> None:
        order_id = next(iter(state.orders))
        base = server.base_url.removesuffix("/api")

        answer = client.get_url(
            f"{base}/Cloud/Apps/ShopifyConnector/UpdateOrderStatus?idCustomerAppsLink=abc&OrderId={order_id}"
        )

        assert answer.status == 200
        assert state.shopify_hits[0]["order_id"] == order_id and client.calls_made == 0


def test_a_reply_that_is_not_a_list_is_refused() -> None:
    transport = httpx.MockTransport(lambda request: httpx.Response(200, json={"Message": "hello"}))
    with (
        Cin7Client.connect(
            "http://cin7.test/api", "u", "k", limiter=InMemoryRateLimiter(FREE), transport=transport
        ) as client,
        pytest.raises(Cin7BadResponse, match="something other than a list"),
    ):
        client.sales_orders()


# Unit tests: a small fake Cin7 behind httpx.MockTransport -------------------------------


class FakeCin7:
    """A tiny Cin7: serves ``records`` by page, answers writes per item, plays planned answers first."""

    def __init__(self, records: int = 0) -> None:
        self.records = [{"id": i, "modifiedDate": "2026-05-01T00:00:00Z"} for i in range(records)]
        self.planned: list[httpx.Response | Exception] = []
        self.requests: list[httpx.Request] = []

    def plan(self, *answers: httpx.Response | Exception) -> None:
        self.planned.extend(answers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.planned:
            answer = self.planned.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return answer
        if request.method == "GET":
            page, rows = int(request.url.params["page"]), int(request.url.params["rows"])
            return httpx.Response(200, json=self.records[(page - 1) * rows : page * rows])
        items = json.loads(request.content)
        return httpx.Response(
            200,
            json=[
                {"index": i, "success": True, "id": item.get("id", 9000 + i), "errors": []}
                for i, item in enumerate(items)
            ],
        )


class FakeLimiter:
    """Hands out ``budget`` slots, then refuses the way the shared limiter does."""

    def __init__(self, budget: int = 1_000_000) -> None:
        self.budget = budget
        self.taken = 0
        self.settled: list[str] = []

    def acquire(self) -> str:
        if self.taken >= self.budget:
            raise Cin7RateLimited("budget spent", retry_after=3600)
        self.taken += 1
        return str(self.taken)

    def settle(self, slot: str) -> None:
        self.settled.append(slot)


@pytest.fixture
def fake() -> FakeCin7:
    return FakeCin7()


@pytest.fixture
def limiter() -> FakeLimiter:
    return FakeLimiter()


def ten_minutes(sleeps: Sleeps) -> Deadline:
    """A job's deadline ten minutes ahead, on a clock that the recorded waits move."""
    start = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
    return Deadline(
        start + timedelta(minutes=10), clock=lambda: start + timedelta(seconds=sum(sleeps.waits))
    )


def unit_client(fake: FakeCin7, sleeps: Sleeps, **options: Any) -> Cin7Client:
    """A client of ``fake`` that records its waits in ``sleeps`` instead of sleeping."""
    options.setdefault("limiter", FakeLimiter())
    return Cin7Client.connect(
        "https://cin7.test/api/",
        "acme-api",
        "s3cret-key",
        transport=httpx.MockTransport(fake),
        sleep=sleeps,
        **options,
    )


@pytest.fixture
def unit(fake: FakeCin7, limiter: FakeLimiter, sleeps: Sleeps) -> Iterator[Cin7Client]:
    with unit_client(fake, sleeps, limiter=limiter) as client:
        yield client


def status(code: int, body: Any = None, **headers: str) -> httpx.Response:
    return httpx.Response(code, json=body, headers=headers)


class TestRequests:
    def test_a_list_call_carries_auth_paging_and_filters(
        self, unit: Cin7Client, fake: FakeCin7
    ) -> None:
        unit.list_page(
            "SalesOrders",
            page=3,
            rows=1000,
            where="modifiedDate > '2026-05-01T00:00:00Z'",
            order="modifiedDate ASC",
            fields=["id", "reference"],
        )

        (request,) = fake.requests
        assert request.url.path == "/api/v1/SalesOrders"
        assert dict(request.url.params) == {
            "page": "3",
            "rows": "250",
            "where": "modifiedDate > '2026-05-01T00:00:00Z'",
            "order": "modifiedDate ASC",
            "fields": "id,reference",
        }
        credentials = base64.b64decode(request.headers["Authorization"].removeprefix("Basic "))
        assert credentials == b"acme-api:s3cret-key"
        assert request.headers["Accept"] == "application/json"
        assert request.headers["User-Agent"].startswith("Station/")

    def test_a_missing_order_is_none_whether_404_or_null(
        self, unit: Cin7Client, fake: FakeCin7
    ) -> None:
        fake.plan(status(404, {"Message": "No such order"}), httpx.Response(200, content=b"null"))

        assert unit.sales_order(5) is None
        assert unit.sales_order(6) is None
        assert [r.url.path for r in fake.requests] == [
            "/api/v1/SalesOrders/5",
            "/api/v1/SalesOrders/6",
        ]

    def test_each_attempt_takes_a_slot_and_counts(
        self, unit: Cin7Client, fake: FakeCin7, limiter: FakeLimiter
    ) -> None:
        fake.plan(status(503), status(429))

        unit.branches()

        assert limiter.taken == unit.calls_made == len(fake.requests) == 3

    def test_no_call_is_made_when_the_limiter_refuses(self, fake: FakeCin7, sleeps: Sleeps) -> None:
        client = unit_client(fake, sleeps, limiter=FakeLimiter(budget=0))

        with pytest.raises(Cin7RateLimited, match="budget spent"):
            client.branches()
        assert fake.requests == [] and client.calls_made == 0 and sleeps.waits == []


class TestRetryDecisions:
    @pytest.mark.parametrize(
        ("code", "error", "message"),
        [
            (400, Cin7RequestRejected, "where clause is invalid"),
            (401, Cin7AuthError, "Settings → Cin7"),
            (403, Cin7AuthError, "permission"),
            (404, Cin7NotFound, "HTTP 404"),
            (501, Cin7Unavailable, "HTTP 501"),
        ],
    )
    def test_refusals_are_not_retried(
        self,
        unit: Cin7Client,
        fake: FakeCin7,
        sleeps: Sleeps,
        code: int,
        error: type[Exception],
        message: str,
    ) -> None:
        fake.plan(status(code, {"Message": "The where clause is invalid"}))

        with pytest.raises(error, match=message) as excinfo:
            unit.list_page("Branches")
        assert len(fake.requests) == 1 and sleeps.waits == []
        assert "s3cret-key" not in str(excinfo.value)

    def test_retry_after_is_honoured(
        self, unit: Cin7Client, fake: FakeCin7, sleeps: Sleeps
    ) -> None:
        fake.plan(status(429, **{"Retry-After": "3"}), status(503, **{"Retry-After": "2"}))

        unit.branches()

        assert sleeps.waits == [3.0, 2.0]

    def test_a_429_without_retry_after_waits_for_the_next_second(
        self, unit: Cin7Client, fake: FakeCin7, sleeps: Sleeps
    ) -> None:
        fake.plan(status(429), status(429))

        unit.branches()

        assert len(sleeps.waits) == 2 and all(1.0 <= w <= 30.0 for w in sleeps.waits)

    def test_429s_without_retry_after_are_waited_out_up_to_a_minute_window(
        self, fake: FakeCin7, sleeps: Sleeps
    ) -> None:
        # Another app on the account spends nearly all of its 60 calls a minute: a call
        # may be refused for a whole minute before one gets through.
        fake.plan(*[status(429)] * 9)
        client = unit_client(fake, sleeps, deadline=ten_minutes(sleeps))

        assert len(client.branches()) == 0
        assert len(fake.requests) == 10  # the 429s did not use up the 5 attempts
        assert [int(w) for w in sleeps.waits[:6]] == [1, 2, 4, 8, 16, 32]
        assert all(60 <= w <= 70 for w in sleeps.waits[6:])  # then a minute window, jittered

    def test_a_429_asking_for_a_minute_is_waited_out(self, fake: FakeCin7, sleeps: Sleeps) -> None:
        fake.plan(status(429, **{"Retry-After": "60"}))
        client = unit_client(fake, sleeps, deadline=ten_minutes(sleeps))

        client.branches()

        assert sleeps.waits == [60.0]

    def test_429s_stop_at_the_deadline_not_before(self, fake: FakeCin7, sleeps: Sleeps) -> None:
        fake.plan(*[status(429)] * 30)
        start = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)
        deadline = Deadline(
            start + timedelta(seconds=300),
            clock=lambda: start + timedelta(seconds=sum(sleeps.waits)),
        )
        client = unit_client(fake, sleeps, deadline=deadline)

        with pytest.raises(Cin7RateLimited):
            client.branches()
        assert 300 - 70 <= sum(sleeps.waits) <= 300

    def test_failures_other_than_429_still_end_after_the_attempts(
        self, fake: FakeCin7, sleeps: Sleeps
    ) -> None:
        fake.plan(status(500), status(429), status(500), status(429), *[status(500)] * 5)
        client = unit_client(
            fake,
            sleeps,
            retry=RetryPolicy(attempts=3, base_wait=0.0),
            deadline=ten_minutes(sleeps),
        )

        with pytest.raises(Cin7Unavailable, match="HTTP 500"):
            client.branches()
        assert len(fake.requests) == 5  # three 500s, and the two 429s between them

    def test_every_slot_is_settled_with_its_reply(
        self, fake: FakeCin7, sleeps: Sleeps, limiter: FakeLimiter
    ) -> None:
        fake.plan(status(429), httpx.ReadTimeout("slow"), httpx.ConnectError("no route"))
        client = unit_client(fake, sleeps, limiter=limiter)

        client.branches()

        assert limiter.settled == ["1", "2", "3", "4"]

    def test_5xx_backoff_grows(self, fake: FakeCin7, sleeps: Sleeps) -> None:
        fake.plan(*[status(500)] * 4)
        client = unit_client(fake, sleeps, retry=RetryPolicy(attempts=5, base_wait=1.0))

        client.branches()

        assert [int(w) for w in sleeps.waits] == [1, 2, 4, 8]

    def test_a_retry_after_longer_than_one_call_may_wait_ends_at_once(
        self, unit: Cin7Client, fake: FakeCin7, sleeps: Sleeps
    ) -> None:
        fake.plan(status(429, **{"Retry-After": "3600"}))

        with pytest.raises(Cin7RateLimited) as excinfo:
            unit.branches()
        assert excinfo.value.retry_after == 3600.0
        assert len(fake.requests) == 1 and sleeps.waits == []

    def test_the_total_wait_is_bounded(self, fake: FakeCin7, sleeps: Sleeps) -> None:
        fake.plan(*[status(502, **{"Retry-After": "4"})] * 20)
        client = unit_client(fake, sleeps, retry=RetryPolicy(attempts=20, total_wait=10.0))

        with pytest.raises(Cin7Unavailable, match="HTTP 502"):
            client.branches()
        assert sleeps.waits == [4.0, 4.0] and len(fake.requests) == 3

    def test_a_read_timeout_is_retried_for_reads_and_updates(
        self, unit: Cin7Client, fake: FakeCin7
    ) -> None:
        fake.plan(httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow"))

        assert unit.update_sales_orders([{"id": 1, "stage": "On Hold"}])[0].success
        assert [r.method for r in fake.requests] == ["PUT"] * 3

    @pytest.mark.parametrize(
        "failure",
        [status(500), status(504), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("x")],
    )
    def test_a_create_that_may_have_happened_is_not_repeated(
        self, unit: Cin7Client, fake: FakeCin7, failure: httpx.Response | Exception
    ) -> None:
        fake.plan(failure)

        with pytest.raises(Cin7Unavailable, match="may have created"):
            unit.create_sales_orders([{"reference": "WEB-1"}])
        assert len(fake.requests) == 1

    @pytest.mark.parametrize("failure", [status(429), httpx.ConnectError("refused")])
    def test_a_create_cin7_never_acted_on_is_retried(
        self, unit: Cin7Client, fake: FakeCin7, failure: httpx.Response | Exception
    ) -> None:
        fake.plan(failure)

        (result,) = unit.create_sales_orders([{"reference": "WEB-1"}])

        assert result.success and result.id == 9000 and len(fake.requests) == 2

    def test_the_observer_sees_failed_attempts_too(self, fake: FakeCin7, sleeps: Sleeps) -> None:
        records: list[CallRecord] = []
        fake.plan(httpx.ConnectTimeout("no route"), status(500))
        client = unit_client(fake, sleeps, observer=records.append)

        client.branches()

        assert [(r.method, r.path, r.status, r.attempt, r.error) for r in records] == [
            ("GET", "v1/Branches", None, 1, "ConnectTimeout"),
            ("GET", "v1/Branches", 500, 2, None),
            ("GET", "v1/Branches", 200, 3, None),
        ]


class TestBatchWrites:
    def test_251_items_take_two_calls_and_keep_their_indices(
        self, unit: Cin7Client, fake: FakeCin7
    ) -> None:
        results = unit.update_sales_orders([{"id": i, "stage": "Dispatched"} for i in range(251)])

        assert [len(json.loads(r.content)) for r in fake.requests] == [250, 1]
        assert [(r.index, r.id) for r in results] == [(i, i) for i in range(251)]

    @pytest.mark.parametrize(
        "body",
        [{"Message": "ok"}, [{"index": 0, "success": True}], None, "yes"],
    )
    def test_a_200_without_one_result_per_item_is_refused(
        self, unit: Cin7Client, fake: FakeCin7, body: Any
    ) -> None:
        fake.plan(status(200, body))

        with pytest.raises(Cin7BadResponse):
            unit.update_sales_orders([{"id": 1}, {"id": 2}])

    def test_nothing_to_send_makes_no_call(self, unit: Cin7Client, fake: FakeCin7) -> None:
        assert unit.update_sales_orders([]) == [] and fake.requests == []


class TestPaging:
    @pytest.mark.parametrize(
        ("records", "expected_total", "calls"),
        [(0, None, 1), (600, None, 3), (500, None, 3), (500, 500, 2), (1000, 1000, 4)],
    )
    def test_paging_stops_at_a_short_page_or_the_expected_total(
        self,
        unit: Cin7Client,
        fake: FakeCin7,
        records: int,
        expected_total: int | None,
        calls: int,
    ) -> None:
        fake.records = FakeCin7(records).records

        pages = list(unit.iter_pages("SalesOrders", rows=999, expected_total=expected_total))

        assert [o["id"] for page in pages for o in page] == list(range(records))
        assert all(pages) and len(fake.requests) == calls

    def test_a_server_that_ignores_page_is_caught(self, unit: Cin7Client, fake: FakeCin7) -> None:
        same = [{"id": i} for i in range(3)]
        fake.plan(status(200, same), status(200, same))

        with pytest.raises(Cin7BadResponse, match="page 1 again"):
            list(unit.iter_pages("Stock", rows=3))

    def test_paging_is_bounded(self, unit: Cin7Client, fake: FakeCin7) -> None:
        fake.records = FakeCin7(10).records

        with pytest.raises(Cin7BadResponse, match="past page 2"):
            list(unit.iter_pages("Stock", rows=2, max_pages=2))


class TestShopifyTrigger:
    def test_the_trigger_is_a_plain_get_outside_the_api_budget(
        self, unit: Cin7Client, fake: FakeCin7, limiter: FakeLimiter
    ) -> None:
        fake.plan(httpx.Response(302, headers={"Location": "/login"}))

        answer = unit.get_url("https://go.cin7.com/Cloud/Apps?idCustomerAppsLink=abc&OrderId=7")

        (request,) = fake.requests
        assert answer == WebAnswer(302, "/login") and "Authorization" not in request.headers
        assert request.url.params["OrderId"] == "7"
        assert limiter.taken == 0 and unit.calls_made == 0

    def test_an_unreachable_trigger_is_cin7_unavailable(
        self, unit: Cin7Client, fake: FakeCin7
    ) -> None:
        fake.plan(httpx.ConnectError("refused"))

        with pytest.raises(Cin7Unavailable, match="go.cin7.com"):
            unit.get_url("https://go.cin7.com/Cloud/Apps?idCustomerAppsLink=abc&OrderId=7")

    def test_a_relative_trigger_url_is_a_mistake(self, unit: Cin7Client) -> None:
        with pytest.raises(ValueError, match="absolute"):
            unit.get_url("/Cloud/Apps?OrderId=7")
