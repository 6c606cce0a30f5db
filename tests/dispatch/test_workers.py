"""Scale-out: two `station worker` processes on Redis and PostgreSQL deliver each item once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station import create_app
from station.cin7.sandbox import SandboxServer
from station.dispatch.options import DispatchOptions
from station.extensions import db
from station.jobs import jobs
from station.models import OutboxItem, OutboxState
from tests.builders import open_orders, puts, ship_sandbox_order
from tests.conftest import REDIS_URL
from tests.fakes.cin7 import sandbox_config
from tests.fakes.clock import Clock
from tests.services import _redis_ready

pytestmark = pytest.mark.both_databases

STATION = str(Path(sys.executable).parent / "station")


@pytest.fixture
def sandbox_orders() -> int:
    return 60


def _done(app: Flask) -> int:
    with app.app_context():
        done = db.session.scalar(select(func.count()).where(OutboxItem.state == OutboxState.DONE))
        db.session.remove()
    return done or 0


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_worker_processes_deliver_each_outbox_item_once(
    ctx: Session, app_config: dict[str, Any], sandbox: SandboxServer, tmp_path: Path
) -> None:
    _redis_ready()
    clock = Clock()
    ids = open_orders(sandbox.state, 40)
    for cin7_id in ids:
        ship_sandbox_order(ctx, cin7_id, DispatchOptions(), now=clock.now)
    ctx.remove()
    settings = {
        "DATABASE_URL": app_config["DATABASE_URL"],
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": f"station-test-{uuid.uuid4().hex[:8]}",
        **sandbox_config(sandbox),
    }
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATION_")}
    env.update({f"STATION_{k}": v for k, v in settings.items()})
    env["STATION_INSTANCE_PATH"] = str(tmp_path / "instance")
    queue = create_app({**app_config, **settings, "JOBS_IMMEDIATE": False})
    workers = [
        subprocess.Popen(
            [STATION, "worker", "--workers", "2", "--no-periodic"],
            env=env,
            stdout=(tmp_path / f"worker-{n}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for n in range(2)
    ]
    try:
        with queue.app_context():
            for _ in range(12):  # many passes at once, as busy benches would ask for
                jobs().deliver_outbox()
        deadline = time.monotonic() + 90
        while _done(queue) < len(ids) and time.monotonic() < deadline:
            assert all(w.poll() is None for w in workers), "a worker died"
            time.sleep(0.3)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        with queue.app_context():
            jobs().huey.flush()

    assert _done(queue) == len(ids)
    sent = [item["id"] for request in puts(sandbox.state) for item in request.body]
    assert sorted(sent) == sorted(ids)  # every order updated, none twice
