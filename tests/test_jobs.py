"""The job queue: the order sync runs as a huey task on SQLite storage and on Redis."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from station import create_app
from station.cin7.sandbox import SandboxServer
from station.extensions import db
from station.jobs import jobs, start_embedded_consumer
from station.models import SyncRun
from tests.conftest import REDIS_URL, service_missing
from tests.fakes.cin7 import sandbox_config


@pytest.fixture
def sandbox_orders() -> int:
    return 50


def wait_for_run(app: Flask, *, timeout: float = 20.0) -> SyncRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with app.app_context():
            run = db.session.scalar(select(SyncRun).where(SyncRun.finished_at.is_not(None)))
            db.session.remove()
        if run is not None:
            return run
        time.sleep(0.05)
    raise AssertionError("no sync run finished in time")


def test_sync_task_runs_inline_when_jobs_are_immediate(
    app_config: dict[str, Any], sandbox: SandboxServer
) -> None:
    app = create_app({**app_config, **sandbox_config(sandbox)})

    with app.app_context():
        result = jobs().sync_orders("manual")

    assert result.get()["summary"].startswith("full sync")
    run = wait_for_run(app)
    assert run.trigger == "manual" and run.succeeded


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
