"""The job queue: the order sync runs as a huey task on SQLite storage and on Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from sqlalchemy import select

from station import create_app
from station.cin7.branch_cache import cached_branches
from station.cin7.sandbox import Limits, SandboxServer
from station.cin7.sandbox.state import SandboxState
from station.extensions import db
from station.jobs import (
    Jobs,
    every_minutes,
    init_app,
    jobs,
    start_embedded_consumer,
    sync_interval_minutes,
)
from station.models import SyncRun
from station.printing import tasks as printing_tasks
from station.settings import settings_store
from tests.conftest import REDIS_URL, service_missing
from tests.fakes.cin7 import running_sandbox, sandbox_config
from tests.services import _redis_ready
from tests.waiting import wait_until

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


@pytest.fixture
def sandbox_orders() -> int:
    return 50


def wait_for_run(app: Flask, *, timeout: float = 20.0) -> SyncRun:
    return wait_for_runs(app, {"manual"}, timeout=timeout)[0]


def wait_for_runs(app: Flask, triggers: set[str], *, timeout: float = 20.0) -> list[SyncRun]:
    """The finished sync runs, once runs with each of ``triggers`` have finished."""

    def finished() -> list[SyncRun]:
        with app.app_context():
            runs = list(db.session.scalars(select(SyncRun).where(SyncRun.finished_at.is_not(None))))
            db.session.remove()
        return runs if triggers <= {run.trigger for run in runs} else []

    return wait_until(finished, timeout=timeout, what=f"{sorted(triggers)} sync runs to finish")


def test_sync_task_runs_inline_when_jobs_are_immediate(
    app_config: dict[str, Any], sandbox: SandboxServer
) -> None:
    app = create_app({**app_config, **sandbox_config(sandbox)})

    with app.app_context():
        result = jobs().sync_orders("manual")

    assert result.get()["summary"].startswith("full sync")
    run = wait_for_run(app)
    assert run.trigger == "manual" and run.succeeded


def test_the_first_good_sync_names_the_branches_and_later_ones_ask_no_more(
    app_config: dict[str, Any], sandbox: SandboxServer
) -> None:
    app = create_app({**app_config, **sandbox_config(sandbox)})

    def branch_calls() -> int:
        return sum(1 for r in sandbox.state.api_calls() if r.path.endswith("/Branches"))

    with app.app_context():
        jobs().sync_orders("manual")
        names = cached_branches(settings_store(db.session)).names
        first = branch_calls()
        jobs().sync_orders("manual")

    assert names == {1: "Auckland Warehouse", 2: "Christchurch Store", 3: "Sydney 3PL"}
    assert first == 1 and branch_calls() == 1


def test_a_branch_list_refused_after_the_first_sync_is_asked_once_and_the_syncs_go_on(
    app_config: dict[str, Any], sandbox_state: SandboxState, sandbox_limits: Limits
) -> None:
    refused: list[str] = []

    def no_branches_permission(app: WSGIApplication) -> WSGIApplication:
        def answer(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            if not environ["PATH_INFO"].endswith("/Branches"):
                return app(environ, start_response)
            refused.append(environ["PATH_INFO"])
            start_response("403 FORBIDDEN", [("Content-Type", "application/json")])
            return [b'{"message": "This API user may not read branches."}']

        return answer

    with running_sandbox(
        sandbox_state, limits=sandbox_limits, middleware=no_branches_permission
    ) as server:
        app = create_app({**app_config, **sandbox_config(server)})
        with app.app_context():
            first = jobs().sync_orders("manual").get()
            second = jobs().sync_orders("manual").get()
            names = cached_branches(settings_store(db.session)).names

    assert first["summary"].startswith("full sync") and second["run_id"] is not None
    assert len(refused) == 1 and names == {}  # asked once; pages show ids, as before


@pytest.mark.parametrize("storage", ["sqlite", "redis"])
def test_a_consumer_runs_queued_syncs(
    app_config: dict[str, Any], sandbox: SandboxServer, storage: str
) -> None:
    config = {**app_config, **sandbox_config(sandbox), "JOBS_IMMEDIATE": False}
    if storage == "redis":
        redis = pytest.importorskip("redis")
        try:
            redis.Redis.from_url(REDIS_URL).ping()
        except redis.RedisError as exc:
            service_missing("Redis", str(exc))
        config.update(REDIS_URL=REDIS_URL, REDIS_PREFIX=f"station-test-{uuid.uuid4().hex[:8]}")
    app = create_app(config)
    with app.app_context():
        jobs().sync_orders("manual")
        queued = jobs().huey.pending_count()
    assert queued == 1

    consumer = start_embedded_consumer(app, workers=1)
    try:
        run = wait_for_run(app)
    finally:
        consumer.stop(graceful=True)
        if storage == "redis":
            jobs_huey = app.extensions["station.jobs"].huey
            jobs_huey.storage.flush_all()
    assert run.trigger == "manual" and run.succeeded and run.orders_seen > 0


@pytest.mark.parametrize("periodic", [True, False])
def test_only_a_consumer_with_periodic_tasks_on_schedules_the_sync(
    app_config: dict[str, Any], sandbox: SandboxServer, periodic: bool
) -> None:
    app = create_app({**app_config, **sandbox_config(sandbox), "JOBS_IMMEDIATE": False})
    with app.app_context():
        jobs().sync_orders("manual")

    consumer = start_embedded_consumer(app, workers=1, periodic=periodic)
    try:
        # A consumer's scheduler enqueues what is due as it starts, before its worker
        # takes the manual sync queued above.
        runs = wait_for_runs(app, {"manual", "schedule"} if periodic else {"manual"})
    finally:
        consumer.stop(graceful=True)
    with app.app_context():
        left = jobs().huey.pending_count()

    assert sorted(run.trigger for run in runs) == (
        ["manual", "schedule"] if periodic else ["manual"]
    )
    assert all(run.succeeded for run in runs)
    assert periodic or left == 0  # without periodic tasks nothing else was ever queued


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [(60, 1), (1, 1), (30, 1), (59.5, 1), (61, 2), (90, 2), (120, 2), (121, 3), (420, 7),
     (3600, 60), (5400, 90), (86_400, 1440), ("300", 5)],
)  # fmt: skip
def test_sync_interval_becomes_whole_minutes_rounded_up(seconds: object, minutes: int) -> None:
    assert sync_interval_minutes(seconds) == minutes


@pytest.mark.parametrize("seconds", [0, -60, "soon", None, float("nan"), float("inf")])
def test_a_sync_interval_that_is_not_a_positive_number_is_refused(seconds: object) -> None:
    with pytest.raises(ValueError, match="SYNC_INTERVAL"):
        sync_interval_minutes(seconds)


@pytest.mark.parametrize("minutes", [1, 2, 7, 45, 60, 90, 1440])
def test_every_n_minutes_keeps_its_spacing_across_hours_and_days(minutes: int) -> None:
    due = every_minutes(minutes)
    start = datetime(2026, 5, 1, 22, 3)  # naive UTC, as huey passes it
    moments = [start + timedelta(minutes=m) for m in range(3 * 24 * 60)]

    runs = [m for m in moments if due(m)]

    gaps = {(later - earlier) for earlier, later in pairwise(runs)}
    assert gaps == {timedelta(minutes=minutes)}
    assert due(runs[0].replace(second=59)) and due(runs[0].replace(tzinfo=UTC))


def test_the_periodic_sync_falls_due_every_sync_interval(app_config: dict[str, Any]) -> None:
    app = create_app({**app_config, "SYNC_INTERVAL": 420, "JOBS_IMMEDIATE": False})
    huey = app.extensions["station.jobs"].huey
    start = datetime(2026, 5, 1, 23, 0)

    due = [
        start + timedelta(minutes=m)
        for m in range(24 * 60)
        if any(
            t.name == "sync_orders_periodic"
            for t in huey.read_periodic(start + timedelta(minutes=m))
        )
    ]

    assert {later - earlier for earlier, later in pairwise(due)} == {timedelta(minutes=7)}


def test_an_app_with_a_sync_interval_of_zero_does_not_start(app_config: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="SYNC_INTERVAL"):
        create_app({**app_config, "SYNC_INTERVAL": 0})


def test_a_package_registers_a_task_that_runs_in_an_app_context(
    app_config: dict[str, Any],
) -> None:
    """A package's ``register`` is all it takes: the task runs with the app at hand."""
    from flask import current_app

    def register(queue: Jobs) -> None:
        queue.task("instance_of", lambda suffix: current_app.instance_path + suffix)

    app = create_app(app_config)
    queue = init_app(app, [register])

    assert queue.instance_of("/x").get() == app.instance_path + "/x"


def test_two_jobs_under_one_name_are_refused(app_config: dict[str, Any]) -> None:
    """A second ``print_queue`` would silently replace the first; the app does not start."""

    def register(queue: Jobs) -> None:
        queue.follow_up("print_queue", lambda: None)

    with pytest.raises(ValueError, match="print_queue"):
        init_app(create_app(app_config), [printing_tasks.register, register])


def test_a_job_no_package_registered_is_an_attribute_error(app: Flask) -> None:
    with app.app_context(), pytest.raises(AttributeError, match="no_such_job"):
        jobs().no_such_job()


@pytest.fixture(params=["sqlite", "redis"])
def queued_app(request: pytest.FixtureRequest, app_config: dict[str, Any]) -> Iterator[Flask]:
    """An app whose jobs wait on a queue (SQLite storage, or Redis under its own prefix)."""
    config = {**app_config, "JOBS_IMMEDIATE": False}
    if request.param == "redis":
        _redis_ready()
        config.update(REDIS_URL=REDIS_URL, REDIS_PREFIX=f"station-test-{uuid.uuid4().hex[:8]}")
    app = create_app(config)
    yield app
    with app.app_context():
        jobs().huey.flush()


def test_a_burst_of_dispatches_schedules_one_delivery_pass(queued_app: Flask) -> None:
    with queued_app.app_context():
        huey = jobs().huey
        for _ in range(10):
            jobs().deliver_soon()
        assert huey.pending_count() == 1  # a delayed task waits in the queue until due

        jobs().starting("deliver_outbox")  # the pass begins: later dispatches need the next
        jobs().deliver_soon()
        jobs().deliver_soon()
        assert huey.pending_count() == 2


def test_a_pass_that_never_started_is_scheduled_again_once_its_mark_is_stale(
    queued_app: Flask,
) -> None:
    with queued_app.app_context():
        queue, huey = jobs(), jobs().huey
        assert queue.soon_once(queue.deliver_outbox, 2.0, stale_after=60.0)
        assert not queue.soon_once(queue.deliver_outbox, 2.0, stale_after=60.0)
        # as if the worker that took the first pass died before it began: its mark ages
        assert queue.soon_once(queue.deliver_outbox, 2.0, stale_after=0.0)
        assert huey.pending_count() == 2


def test_inline_jobs_run_each_pass_at_once(app: Flask) -> None:
    with app.app_context():
        assert jobs().soon_once(jobs().deliver_outbox, 2.0, stale_after=60.0)
        assert jobs().soon_once(jobs().deliver_outbox, 2.0, stale_after=60.0)
