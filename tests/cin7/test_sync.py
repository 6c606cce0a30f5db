"""The order sync against the Cin7 sandbox over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from flask import Flask
from sqlalchemy import func, select

from station.cin7.budget import cin7_status
from station.cin7.client import Cin7Client
from station.cin7.sandbox import SandboxServer, SandboxState
from station.cin7.selection import OrderSelection
from station.cin7.sync import (
    INTERRUPTED,
    SyncBusy,
    SyncError,
    SyncSummary,
    explain_missing,
    sync_orders,
)
from station.cin7.wiring import cin7_wiring
from station.extensions import db
from station.models import Cin7CallDay, Product, SalesOrder, SyncRun
from tests.cin7.builders import EVERYTHING, Hook, run_sync, try_sync
from tests.fakes.cin7 import busiest_second, list_calls, sandbox_config


@pytest.fixture
def app_config(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, Any]:
    return {**app_config, **sandbox_config(sandbox)}


def sync_runs(app: Flask) -> list[SyncRun]:
    with app.app_context():
        runs = list(db.session.scalars(select(SyncRun).order_by(SyncRun.id)))
        db.session.expunge_all()
    return runs


def local_ids(app: Flask) -> set[int]:
    with app.app_context():
        return set(db.session.scalars(select(SalesOrder.cin7_id)))


def is_order_list(request: httpx.Request) -> bool:
    return request.method == "GET" and request.url.path.endswith("/v1/SalesOrders")


def on_nth_order_list(n: int, action: Callable[[], None]) -> Hook:
    """A request hook that does ``action`` as the ``n``-th sales-order list call goes out."""
    seen = []

    def hook(request: httpx.Request) -> None:
        if is_order_list(request):
            seen.append(request)
            if len(seen) == n:
                action()

    return hook


def local_count(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SalesOrder)) or 0


def wanted_by(state: SandboxState, selection: OrderSelection) -> set[int]:
    from station.cin7.mapping import sales_order_from_json

    now = datetime.now(UTC)
    return {
        oid
        for oid, raw in state.orders.items()
        if selection.reason_excluded(sales_order_from_json(raw), now=now) is None
    }


class TestFirstSync:
    def test_brings_in_exactly_the_selected_orders(
        self, app: Flask, sandbox_state: SandboxState
    ) -> None:
        summary = run_sync(app)

        wanted = wanted_by(sandbox_state, OrderSelection())
        assert 0 < len(wanted) < len(sandbox_state.orders)
        with app.app_context():
            ids = set(db.session.scalars(select(SalesOrder.cin7_id)))
        assert ids == wanted
        assert summary.kind == "full"
        assert summary.orders_created == len(wanted)

    def test_keeps_lines_and_the_products_they_use(
        self, app: Flask, sandbox_state: SandboxState
    ) -> None:
        run_sync(app, EVERYTHING)

        with app.app_context():
            order = db.session.scalar(select(SalesOrder).where(SalesOrder.line_count > 2).limit(1))
            assert order is not None
            raw = sandbox_state.orders[order.cin7_id]
            assert [line.code for line in order.lines] == [li["code"] for li in raw["lineItems"]]
            controls = set(db.session.scalars(select(Product.stock_control)))
            size_grid = db.session.scalar(
                select(Product).where(Product.size_range_id.is_not(None)).limit(1)
            )
        assert {"FIFO", "Batch", "Serial"} <= controls
        assert size_grid is not None and size_grid.stock_control == "Batch"

    def test_records_the_run_and_the_calls_spent_today(
        self, app: Flask, sandbox_state: SandboxState
    ) -> None:
        summary = run_sync(app)

        api_calls = sandbox_state.api_calls()
        with app.app_context():
            run = db.session.get(SyncRun, summary.run_id)
            day = db.session.scalar(select(Cin7CallDay))
            status = cin7_status(db.session)
        assert run is not None and run.succeeded and run.calls == len(api_calls)
        assert day is not None and day.calls == len(api_calls)
        assert status.calls_today == len(api_calls)
        assert status.last_sync_at == run.finished_at


class TestPaging:
    @pytest.mark.cin7_limits
    @pytest.mark.parametrize(("orders", "list_calls_expected"), [(999, 4), (1000, 5), (1001, 5)])
    def test_reads_250_orders_a_call_within_cin7s_limits(
        self, app: Flask, sandbox_state: SandboxState, orders: int, list_calls_expected: int
    ) -> None:
        # Cin7 gives no total, so only a short page ends the list: 1,000 orders need a
        # fifth, empty page to show there is no 1,001st.
        sandbox_state.orders.clear()
        sandbox_state.add_orders(orders, start=datetime.now(UTC) - timedelta(days=5))

        summary = run_sync(app, EVERYTHING)

        calls = sandbox_state.api_calls()
        assert len(list_calls(calls, "SalesOrders")) == list_calls_expected
        assert all(c.query.get("rows") == "250" for c in list_calls(calls, "SalesOrders"))
        assert busiest_second([c.t for c in calls]) <= 3
        assert not [c for c in calls if c.status == 429]
        assert summary.orders_seen == orders
        assert local_count(app) == len(wanted_by(sandbox_state, EVERYTHING))

    def test_second_sync_with_nothing_changed_makes_one_call(
        self, app: Flask, sandbox_state: SandboxState
    ) -> None:
        run_sync(app)
        before = len(sandbox_state.api_calls())

        summary = run_sync(app)

        assert len(sandbox_state.api_calls()) - before == 1
        assert summary.kind == "incremental"
        assert summary.orders_created == summary.orders_updated == 0


class TestIncremental:
    def test_picks_up_edits_and_new_orders(self, app: Flask, sandbox_state: SandboxState) -> None:
        run_sync(app)
        with app.app_context():
            order = db.session.scalar(select(SalesOrder).limit(1))
            assert order is not None
            cin7_id = order.cin7_id
        sandbox_state.touch_order(cin7_id, stage="On Hold", deliveryCity="Ōtautahi")
        [new_id] = sandbox_state.add_orders(1, start=datetime.now(UTC))
        sandbox_state.touch_order(
            new_id,
            isApproved=True,
            isVoid=False,
            status="APPROVED",
            dispatchedDate=None,
            stage="New",
        )

        summary = run_sync(app)

        with app.app_context():
            edited = db.session.scalar(select(SalesOrder).where(SalesOrder.cin7_id == cin7_id))
            added = db.session.scalar(select(SalesOrder).where(SalesOrder.cin7_id == new_id))
        assert (
            edited is not None and edited.stage == "On Hold" and edited.delivery_city == "Ōtautahi"
        )
        assert added is not None
        assert summary.orders_updated == 1 and summary.orders_created == 1

    def test_void_order_is_marked_void_not_deleted(
        self, app: Flask, sandbox_state: SandboxState
    ) -> None:
        run_sync(app)
        with app.app_context():
            cin7_id = db.session.scalar(select(SalesOrder.cin7_id).limit(1))
        sandbox_state.touch_order(cin7_id, isVoid=True, status="VOID")

        run_sync(app)

        with app.app_context():
            order = db.session.scalar(select(SalesOrder).where(SalesOrder.cin7_id == cin7_id))
        assert order is not None and order.is_void

    def test_order_edited_while_the_sync_pages_is_not_lost(
        self, app: Flask, sandbox_state: SandboxState
    ) -> None:
        sandbox_state.orders.clear()
        ids = sandbox_state.add_orders(600, start=datetime.now(UTC) - timedelta(days=3))
        edited: list[int] = []

        def edit_after_first_page(response: httpx.Response) -> None:
            if not edited and response.request.url.path.endswith("/v1/SalesOrders"):
                # An order already read moves to the end; with page numbers this would
                # shift an unread order onto the page just read and lose it.
                edited.append(ids[3])
                sandbox_state.touch_order(ids[3], stage="On Hold")

        with app.app_context():
            wiring = cin7_wiring()
            conn = wiring.connection(db.session)
            client = Cin7Client.connect(
                conn.base_url,
                conn.username,
                conn.api_key,
                limiter=wiring.limiter,
                event_hooks={"response": [edit_after_first_page]},
            )
            sync_orders(db.session, client, EVERYTHING)
            client.close()

        run_sync(app, EVERYTHING)

        wanted = wanted_by(sandbox_state, EVERYTHING)
        with app.app_context():
            local = set(db.session.scalars(select(SalesOrder.cin7_id)))
            order = db.session.scalar(select(SalesOrder).where(SalesOrder.cin7_id == ids[3]))
        assert local == wanted
        assert order is not None and order.stage == "On Hold"


class TestOrdersSavedInTheSameSecond:
    def test_600_orders_with_one_modified_date_arrive_exactly_once(
        self, app: Flask, sandbox_state: SandboxState
    ) -> None:
        # Cin7 promises no order among ties, so the sandbox shuffles them: only a second
        # sort key (id) keeps the (modifiedDate, id) cursor from repeating or skipping.
        sandbox_state.unordered_ties = True
        sandbox_state.orders.clear()
        ids = sandbox_state.add_orders(600, start=datetime.now(UTC) - timedelta(days=3))
        stamp = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for order_id in ids:
            sandbox_state.orders[order_id]["modifiedDate"] = stamp
        served: list[int] = []

        def collect(response: httpx.Response) -> None:
            if is_order_list(response.request):
                response.read()
                served.extend(order["id"] for order in response.json())

        summary = try_sync(app, EVERYTHING, on_response=collect)

        assert sorted(served) == sorted(ids)
        calls = list_calls(sandbox_state.api_calls(), "SalesOrders")
        assert [c.query.get("order") for c in calls] == ["modifiedDate ASC, id ASC"] * 3
        assert isinstance(summary, SyncSummary) and summary.orders_seen == 600
        assert local_ids(app) == wanted_by(sandbox_state, EVERYTHING)


@pytest.mark.both_databases
class TestOneSyncAtATime:
    def test_two_syncs_started_together_run_once_and_the_other_says_so(
        self, app: Flask, sandbox_state: SandboxState
    ) -> None:
        both_ready = threading.Barrier(2)
        one_returned = threading.Event()
        outcomes: list[SyncSummary | SyncBusy] = []
        errors: list[BaseException] = []

        def hold(request: httpx.Request) -> None:
            # The sync that took the lock keeps it until the other one has returned.
            one_returned.wait(timeout=10)

        def start_sync() -> None:
            try:
                both_ready.wait(timeout=10)
                outcomes.append(try_sync(app, on_request=hold, trigger="manual"))
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)
            finally:
                one_returned.set()

        threads = [threading.Thread(target=start_sync) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        assert not errors
        summaries = [o for o in outcomes if isinstance(o, SyncSummary)]
        busy = [o for o in outcomes if isinstance(o, SyncBusy)]
        assert len(summaries) == 1 and len(busy) == 1
        assert "already running" in busy[0].describe()
        [run] = sync_runs(app)
        assert run.id == summaries[0].run_id and run.succeeded
        assert local_ids(app) == wanted_by(sandbox_state, OrderSelection())

    def test_a_run_left_running_by_a_process_that_died_does_not_block_the_next(
        self, app: Flask
    ) -> None:
        with app.app_context():
            started = datetime.now(UTC) - timedelta(minutes=1)
            db.session.add(SyncRun(kind="full", trigger="schedule", started_at=started))
            db.session.commit()

        summary = run_sync(app)

        dead, run = sync_runs(app)
        assert dead.finished_at is not None and dead.error == INTERRUPTED
        assert run.id == summary.run_id and run.succeeded

    @pytest.mark.parametrize("failure", ["malformed reply", "unexpected error"])
    def test_a_run_that_fails_midway_is_recorded_and_the_next_sync_carries_on(
        self, app: Flask, sandbox_state: SandboxState, failure: str
    ) -> None:
        sandbox_state.orders.clear()
        sandbox_state.add_orders(600, start=datetime.now(UTC) - timedelta(days=3))

        def fail() -> None:
            if failure == "malformed reply":
                sandbox_state.faults.malformed_next()
            else:
                raise RuntimeError("the disk is on fire")

        raised = SyncError if failure == "malformed reply" else RuntimeError
        with pytest.raises(raised):
            try_sync(app, EVERYTHING, on_request=on_nth_order_list(2, fail))

        [failed] = sync_runs(app)
        assert failed.finished_at is not None and failed.error
        expected = "malformed JSON" if failure == "malformed reply" else "the disk is on fire"
        assert expected in failed.error
        assert 0 < len(local_ids(app)) <= 250  # the first page was kept

        summary = run_sync(app, EVERYTHING)

        assert summary.kind == "full" and summary.orders_seen == 600 - 250
        assert local_ids(app) == wanted_by(sandbox_state, EVERYTHING)
        assert sync_runs(app)[-1].succeeded


class TestResume:
    @pytest.mark.parametrize("stopped", ["failed", "killed"])
    def test_an_interrupted_full_sync_resumes_with_the_filter_it_started_with(
        self, app: Flask, sandbox_state: SandboxState, stopped: str
    ) -> None:
        sandbox_state.orders.clear()
        ids = sandbox_state.add_orders(1200, start=datetime.now(UTC) - timedelta(days=3))
        for n, order_id in enumerate(ids):
            sandbox_state.orders[order_id].update(
                stage="New" if n % 2 else "On Hold",
                isVoid=False,
                isApproved=True,
                status="APPROVED",
                dispatchedDate=None,
            )
        wanted = {order_id for n, order_id in enumerate(ids) if n % 2}
        selection = OrderSelection(stages=("New",))
        with pytest.raises(SyncError):
            try_sync(
                app, selection, on_request=on_nth_order_list(2, sandbox_state.faults.malformed_next)
            )
        if stopped == "killed":  # as if the process died right after committing a page
            with app.app_context():
                run = db.session.scalar(select(SyncRun))
                assert run is not None
                run.finished_at, run.error = None, None
                db.session.commit()
        base = list_calls(sandbox_state.api_calls(), "SalesOrders")[0].query["where"]
        assert "stage IN ('New')" in base
        before = len(sandbox_state.api_calls())

        # A day later the window starts a day later too, but the resumed run keeps its filter.
        summary = run_sync(app, selection, now=lambda: datetime.now(UTC) + timedelta(days=1))

        resumed = list_calls(sandbox_state.api_calls()[before:], "SalesOrders")
        assert len(resumed) == 2
        assert all(c.query["where"].startswith(f"{base} AND modifiedDate > ") for c in resumed)
        assert summary.kind == "full" and summary.orders_seen == 600 - 250
        assert local_ids(app) == wanted
        first = sync_runs(app)[0]
        assert first.finished_at is not None and first.error
        assert (INTERRUPTED if stopped == "killed" else "malformed JSON") in first.error


class TestFailures:
    def test_refused_credentials_are_recorded_on_the_run(
        self, app_config: dict[str, Any], sandbox_state: SandboxState
    ) -> None:
        from station import create_app

        app = create_app({**app_config, "CIN7_API_KEY": "wrong"})
        with pytest.raises(SyncError, match="(?i)api username|key"):
            run_sync(app)

        with app.app_context():
            run = db.session.scalar(select(SyncRun))
            status = cin7_status(db.session)
        assert run is not None and run.error and run.finished_at is not None
        assert status.last_sync_error == run.error and status.last_sync_at is None
        assert "wrong" not in run.error
        assert local_count(app) == 0

    @pytest.mark.cin7_limits
    def test_server_errors_are_retried_and_the_sync_completes(
        self, app: Flask, sandbox_state: SandboxState
    ) -> None:
        sandbox_state.faults.fail_next(500, count=1)
        sandbox_state.faults.fail_next(429, count=1, retry_after=1)

        run_sync(app)

        assert local_count(app) == len(wanted_by(sandbox_state, OrderSelection()))


class TestExplainMissing:
    @pytest.mark.parametrize(
        ("change", "expected"),
        [
            ({"isVoid": True, "status": "VOID"}, "is void"),
            ({"isApproved": False, "status": "DRAFT"}, "not approved"),
            (
                {"dispatchedDate": "2026-01-02T03:04:05Z", "stage": "Dispatched"},
                "already dispatched",
            ),
            ({"createdDate": "2020-01-01T00:00:00Z"}, "before the sync window"),
        ],
    )
    def test_says_why_an_order_is_not_in_station(
        self, app: Flask, sandbox_state: SandboxState, change: dict[str, Any], expected: str
    ) -> None:
        order_id, raw = next(iter(sandbox_state.orders.items()))
        sandbox_state.touch_order(
            order_id,
            **{
                "isVoid": False,
                "isApproved": True,
                "status": "APPROVED",
                "dispatchedDate": None,
                "createdDate": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                **change,
            },
        )

        with app.app_context():
            client = cin7_wiring().client(db.session)
            message = explain_missing(
                client, raw["reference"], OrderSelection(), now=datetime.now(UTC)
            )
            client.close()
        assert raw["reference"] in message and expected in message

    def test_says_when_cin7_has_no_such_order(self, app: Flask) -> None:
        with app.app_context():
            client = cin7_wiring().client(db.session)
            message = explain_missing(client, "SO-NOPE'1", OrderSelection(), now=datetime.now(UTC))
            client.close()
        assert message == 'Cin7 has no sales order "SO-NOPE\'1".'
