"""A web process warms up before its first request (issue 18: the one-bench stall).

Each new gunicorn worker used to compile every template and SQL statement on first use,
so the first orders after a start paid 60-100 ms more than the next. ``station.warmup``
does that work first; gunicorn runs it through ``-c python:station.serving``.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gunicorn
import httpx
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import CacheStats

from station.extensions import db
from station.models import Role
from station.warmup import warm
from tests.builders import realistic_bench_order
from tests.conftest import AuthActions
from tests.fakes.ports import free_port
from tests.test_cli import STATION, station_env
from tests.waiting import wait_until


def test_every_template_is_compiled(app: Flask) -> None:
    env = app.jinja_env
    warm(app)
    assert env.cache is not None
    compiled = {name for _loader, name in env.cache.keys()}  # noqa: SIM118 (jinja's LRUCache)
    assert set(env.list_templates(filter_func=lambda n: n.endswith(".html"))) <= compiled


@contextmanager
def compiled_fresh(engine: Engine) -> Iterator[list[str]]:
    """The statements ``engine`` compiled anew (not from its cache) in the block."""
    fresh: list[str] = []

    def seen(
        _conn: Any, _cursor: Any, statement: str, _params: Any, context: Any, _many: Any
    ) -> None:
        if context is not None and context.cache_hit is CacheStats.CACHE_MISS:
            fresh.append(" ".join(statement.split()))

    event.listen(engine, "after_cursor_execute", seen)
    try:
        yield fresh
    finally:
        event.remove(engine, "after_cursor_execute", seen)


@pytest.mark.parametrize("warmed", [False, True], ids=["cold", "warmed"])
def test_a_warmed_process_finds_the_first_scanned_order_with_a_compiled_statement(
    app: Flask, client: FlaskClient, auth: AuthActions, warmed: bool
) -> None:
    with app.app_context():
        bench = realistic_bench_order(db.session)
        engine = db.engine
    auth.login("packer", role=Role.PACKER)
    if warmed:
        warm(app)
    with compiled_fresh(engine) as fresh:
        response = client.post("/bench/scan", data={"scan": bench.references[0]})
    assert response.status_code == 200
    order_reads = [s for s in fresh if s.startswith("SELECT") and "FROM sales_order" in s]
    assert bool(order_reads) is not warmed, fresh


@pytest.mark.slow
def test_gunicorn_workers_warm_up_before_serving(tmp_path: Path) -> None:
    port = free_port()
    log_path = tmp_path / "gunicorn.log"
    quiet = ["--no-control-socket"] if gunicorn.version_info >= (27,) else []
    command = [
        *(sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}"),
        *("--config", "python:station.serving", *quiet, "station:create_app()"),
    ]
    env = station_env(tmp_path)
    subprocess.run([STATION, "db", "upgrade"], env=env, check=True, capture_output=True)
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:

        def login_page() -> bool:
            assert server.poll() is None, log_path.read_text()
            try:
                return httpx.get(f"http://127.0.0.1:{port}/login", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(login_page, timeout=60, what="gunicorn serving /login")
        wait_until(
            lambda: log_path.read_text().count("objects kept out of garbage collection") == 2,
            timeout=30,
            what="both workers warmed and their start-up objects frozen",
        )
        assert log_path.read_text().count("warmed up in") == 2
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_a_template_that_does_not_compile_leaves_the_worker_starting_cold(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    from jinja2 import ChoiceLoader, DictLoader

    app.jinja_env.loader = ChoiceLoader([DictLoader({"broken.html": "{% if %}"}), app.jinja_loader])

    warm(app)  # does not raise: warming up is a saving, not a condition of starting

    assert "warm-up failed; the worker starts cold" in caplog.text
