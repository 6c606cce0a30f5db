"""The ``station`` command as people run it: separate processes, real HTTP."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from station.cin7.sandbox import SandboxServer
from tests.fakes.cin7 import sandbox_config

STATION = str(Path(sys.executable).parent / "station")


def station_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATION_")}
    # The sandbox answers on 127.0.0.1 over plain http, and enforces no limits to pace for.
    env.update(
        {
            "STATION_INSTANCE_PATH": str(tmp_path / "instance"),
            "STATION_CIN7_PRIVATE": "1",
            "STATION_CIN7_PACING": "0",
        }
    )
    env.update(extra)
    return env


def test_sync_once_against_any_cin7_compatible_server(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    cin7 = sandbox_config(sandbox)
    env = station_env(
        tmp_path,
        STATION_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}",
        STATION_CIN7_BASE_URL=cin7["CIN7_BASE_URL"],
        STATION_CIN7_USERNAME=cin7["CIN7_USERNAME"],
        STATION_CIN7_API_KEY=cin7["CIN7_API_KEY"],
    )
    subprocess.run(
        [STATION, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120
    )

    first = subprocess.run(
        [STATION, "sync", "--once"], env=env, capture_output=True, text=True, timeout=120
    )
    second = subprocess.run(
        [STATION, "sync", "--once"], env=env, capture_output=True, text=True, timeout=120
    )

    assert first.returncode == 0, first.stderr
    assert re.search(
        r"^full sync: \d+ Cin7 calls, \d+ orders seen, \d+ created", first.stdout, re.M
    )
    assert re.search(
        r"^incremental sync: 1 Cin7 calls, \d+ orders seen, 0 created, 0 updated",
        second.stdout,
        re.M,
    )
    assert cin7["CIN7_API_KEY"] not in first.stdout + first.stderr


def test_sync_once_with_bad_credentials_fails_with_a_message(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    env = station_env(
        tmp_path,
        STATION_DATABASE_URL=f"sqlite:///{tmp_path / 'cli.db'}",
        STATION_CIN7_BASE_URL=sandbox.base_url,
        STATION_CIN7_USERNAME="station-demo",
        STATION_CIN7_API_KEY="not-the-key",
    )
    subprocess.run(
        [STATION, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120
    )

    result = subprocess.run(
        [STATION, "sync", "--once"], env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode != 0
    assert "Error:" in result.stderr and "Traceback" not in result.stderr
    assert "not-the-key" not in result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.slow
def test_demo_serves_the_demo_orders_after_sign_in(tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "demo.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [STATION, "demo", "--port", str(port)],
            env=station_env(tmp_path),
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:
        password = _read_password(proc, log_path, deadline=time.monotonic() + 120)
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as http:
            login_page = http.get("/login").text
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
            assert token, login_page
            signed_in = http.post(
                "/login",
                data={"csrf_token": token.group(1), "username": "admin", "password": password},
            )
            assert signed_in.status_code == 302
            count = _wait_for_order_count(http, at_least=300, deadline=time.monotonic() + 60)
            cin7_page = http.get("/settings/cin7").text
        assert count >= 300
        # The connection is the demo's own sandbox, said as such (no environment set it).
        assert "Set by <code>station demo</code>: the built-in Cin7 sandbox" in cin7_page
        assert (
            "server&#39;s environment" not in cin7_page and "server's environment" not in cin7_page
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def _read_password(proc: subprocess.Popen[str], log_path: Path, *, deadline: float) -> str:
    while time.monotonic() < deadline:
        output = log_path.read_text()
        match = re.search(r"sign in as: admin / (\S+)", output)
        if match:
            return match.group(1)
        if proc.poll() is not None:
            raise AssertionError(f"station demo exited with {proc.returncode}:\n{output}")
        time.sleep(0.2)
    raise AssertionError("station demo printed no sign-in in time")


def _wait_for_order_count(http: httpx.Client, *, at_least: int, deadline: float) -> int:
    count = 0
    while time.monotonic() < deadline:
        page = http.get("/orders").text
        match = re.search(r'<p class="count">([\d,]+) order', page)
        count = int(match.group(1).replace(",", "")) if match else 0
        if count >= at_least:
            return count
        time.sleep(0.5)
    return count


def test_worker_process_runs_jobs_queued_on_redis(tmp_path: Path, sandbox: SandboxServer) -> None:
    import uuid

    from sqlalchemy import select

    from station import create_app
    from station.extensions import db
    from station.jobs import jobs
    from station.models import SyncRun
    from tests.conftest import REDIS_URL, service_missing

    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except redis.RedisError as exc:
        service_missing("Redis", str(exc))
    cin7 = sandbox_config(sandbox)
    prefix = f"station-test-{uuid.uuid4().hex[:8]}"
    settings = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}",
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": prefix,
        **cin7,
    }
    env = station_env(tmp_path, **{f"STATION_{k}": v for k, v in settings.items()})
    subprocess.run(
        [STATION, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120
    )
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [STATION, "worker", "--workers", "1"], env=env, stdout=log, stderr=subprocess.STDOUT
        )
    app = create_app(
        {**settings, "INSTANCE_PATH": str(tmp_path / "instance"), "LOG_LEVEL": "WARNING"}
    )
    try:
        with app.app_context():
            jobs().sync_orders("manual")
        deadline = time.monotonic() + 60
        run = None
        while run is None and time.monotonic() < deadline and worker.poll() is None:
            with app.app_context():
                run = db.session.scalar(select(SyncRun).where(SyncRun.finished_at.is_not(None)))
                db.session.remove()
            time.sleep(0.2)
        assert run is not None, log_path.read_text()
        assert run.trigger == "manual" and run.succeeded
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=30)
        with app.app_context():
            jobs().huey.storage.flush_all()


def test_worker_with_no_periodic_runs_queued_jobs_and_schedules_nothing(
    tmp_path: Path, sandbox: SandboxServer
) -> None:
    from sqlalchemy import select

    from station import create_app
    from station.extensions import db
    from station.jobs import jobs
    from station.models import SyncRun

    settings = {"DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}", **sandbox_config(sandbox)}
    env = station_env(tmp_path, **{f"STATION_{k}": v for k, v in settings.items()})
    subprocess.run(
        [STATION, "db", "upgrade"], env=env, check=True, capture_output=True, timeout=120
    )
    app = create_app(
        {**settings, "INSTANCE_PATH": str(tmp_path / "instance"), "LOG_LEVEL": "WARNING"}
    )
    with app.app_context():
        jobs().sync_orders("manual")  # on the SQLite queue in the shared instance folder
    log_path = tmp_path / "worker.log"
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [STATION, "worker", "--workers", "1", "--no-periodic"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        runs: list[SyncRun] = []
        while not runs and time.monotonic() < deadline and worker.poll() is None:
            with app.app_context():
                runs = list(db.session.scalars(select(SyncRun)))
                done = all(run.finished_at is not None for run in runs)
                db.session.remove()
            runs = runs if done else []
            time.sleep(0.2)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(timeout=30)
    with app.app_context():
        left = jobs().huey.pending_count()
    output = log_path.read_text()
    assert [(run.trigger, run.succeeded) for run in runs] == [("manual", True)], output
    assert left == 0, output  # the scheduler queued neither the periodic sync nor the sweep


def test_sandbox_command_serves_cin7_on_its_own(tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "sandbox.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [STATION, "sandbox", "--port", str(port), "--orders", "40"],
            env=station_env(tmp_path),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while "Cin7 sandbox at" not in log_path.read_text() and time.monotonic() < deadline:
            assert proc.poll() is None, log_path.read_text()
            time.sleep(0.1)
        response = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/SalesOrders",
            params={"rows": 250},
            auth=("station-demo", "sandbox-key"),
            timeout=10,
        )
        refused = httpx.get(
            f"http://127.0.0.1:{port}/api/v1/SalesOrders", auth=("x", "y"), timeout=10
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert response.status_code == 200 and len(response.json()) == 40
    assert refused.status_code == 401
