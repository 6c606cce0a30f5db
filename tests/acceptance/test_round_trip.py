"""500 shop orders into Cin7 and back as shipped, through faults and killed workers.

The inbox issue's acceptance run. A shop posts 500 orders to ``POST /api/v1/orders``
with its token (and 25 again, as a shop does after a lost reply); a manager submits them
in five batches; ``station worker`` processes on Redis and PostgreSQL send them to the
sandbox, which answers one call in five with 429 or 500. One worker is killed after
Cin7 made a batch but before the worker heard back; another while it holds claimed
orders; one batch Cin7 makes is answered 500 all the same. The resubmission sweep takes
up what they left. The sandbox then dispatches every order with tracking, and one
shipment check, through a 429 and a 500 of its own, brings all 500 to Shipped.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from station import create_app
from station.cin7.client import MAX_ROWS
from station.cin7.sandbox import Limits, SandboxServer, SandboxState
from station.extensions import db
from station.inbox.jobs import run_shipment_check
from station.inbox.tokens import create_token
from station.jobs import jobs
from station.models import InboxEvent, InboxEventKind, InboxOrder
from tests.conftest import REDIS_URL, AuthActions
from tests.fakes.cin7 import LostAnswers, list_calls, running_sandbox, sandbox_config
from tests.inbox.samples import order_json
from tests.services import _redis_ready

STATION = str(Path(sys.executable).parent / "station")
ORDERS = 500
BATCH = 100  # orders a manager ticks per "Submit to Cin7"
# One shipment check may list SalesOrders once per 250 orders, plus retries of the calls
# the sandbox fails on purpose (one 429 and one 500) and one to spare.
LIST_CALLS_ALLOWED = math.ceil(ORDERS / MAX_ROWS) + 3
pytestmark = [
    pytest.mark.slow,
    pytest.mark.cin7_limits,
    pytest.mark.both_databases,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]


@pytest.fixture
def sandbox_limits() -> Limits:
    return Limits()  # Cin7's own: 3 calls a second, 60 a minute


@pytest.fixture
def lost() -> list[LostAnswers]:
    """The sandbox's lost-answers middleware, once the sandbox runs."""
    return []


@pytest.fixture
def sandbox(
    sandbox_state: SandboxState, sandbox_limits: Limits, lost: list[LostAnswers]
) -> Iterator[SandboxServer]:
    def wrap(app: Any) -> LostAnswers:
        lost.append(LostAnswers(app))
        return lost[0]

    with running_sandbox(sandbox_state, limits=sandbox_limits, middleware=wrap) as server:
        yield server
    lost[0].release()


@pytest.fixture
def settings(app_config: dict[str, Any], sandbox: SandboxServer) -> dict[str, str]:
    """What both this process and the workers run with (as STATION_* for the workers)."""
    return {
        "DATABASE_URL": app_config["DATABASE_URL"],
        "REDIS_URL": REDIS_URL,
        "REDIS_PREFIX": f"station-test-{uuid.uuid4().hex[:8]}",
        # The sweep runs only once one worker thread is left, so claims may lapse in seconds.
        # A lease must outlast one Cin7 call attempt (the limiter's wait, then the timeout):
        # those shrink with it, leaving a run 2 s after each renewal to start sending.
        "INBOX_SUBMIT_LEASE": "10",
        "CIN7_LIMIT_WAIT": "3",
        "CIN7_TIMEOUT": "5",
        "INBOX_RESUBMIT_DELAY": "1",
        **sandbox_config(sandbox),
    }


@pytest.fixture
def app(app_config: dict[str, Any], settings: dict[str, str]) -> Iterator[Flask]:
    """Station with its jobs on Redis, so the workers run them."""
    app = create_app({**app_config, **settings, "JOBS_IMMEDIATE": False})
    yield app
    with app.app_context():
        jobs().huey.flush()
        db.session.remove()
        db.engine.dispose()


class Workers:
    """``station worker`` processes (one thread each), killed with SIGKILL when told."""

    def __init__(self, settings: dict[str, str], tmp_path: Path) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("STATION_")}
        env.update({f"STATION_{k}": v for k, v in settings.items()})
        env["STATION_INSTANCE_PATH"] = str(tmp_path / "instance")
        self._env = env
        self.log = tmp_path / "workers.log"
        self.kills = 0
        self._live: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        worker = subprocess.Popen(
            [STATION, "worker", "--workers", "1", "--no-periodic"],
            env=self._env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )
        self._live.append(worker)
        return worker

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        assert worker.poll() is None, self.tail()
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        self._live.remove(worker)
        self.kills += 1

    def stop(self) -> None:
        for worker in self._live:
            worker.terminate()
        for worker in self._live:
            worker.wait(timeout=30)

    def tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else ""


def within(seconds: float, condition: Callable[[], bool]) -> bool:
    """Whether ``condition`` comes true within ``seconds`` (looked at every 20 ms)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.02)
    return True


def count_orders(app: Flask, *where: Any) -> int:
    with app.app_context():
        found = db.session.scalar(select(func.count()).select_from(InboxOrder).where(*where))
        db.session.remove()
    return found or 0


def post_orders(app: Flask, client: FlaskClient) -> None:
    """The shop sends 500 orders, and 25 of them again as if their replies were lost."""
    with app.app_context():
        token = create_token(db.session, name="Web shop", shop="web").token
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for n in range(ORDERS):
        body = order_json(id=str(5000 + n), order_number=f"#{5000 + n}")
        response = client.post("/api/v1/orders", json=body, headers=headers)
        assert response.status_code == 201, response.get_json()
    for n in range(0, ORDERS, 20):
        body = order_json(id=str(5000 + n), order_number=f"#{5000 + n}")
        assert client.post("/api/v1/orders", json=body, headers=headers).status_code == 200


def test_500_orders_reach_cin7_once_each_and_one_check_ships_them_all(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    sandbox: SandboxServer,
    lost: list[LostAnswers],
    settings: dict[str, str],
    tmp_path: Path,
) -> None:
    _redis_ready()
    began = time.monotonic()
    state, answers = sandbox.state, lost[0]
    post_orders(app, client)
    assert count_orders(app) == ORDERS
    posted = time.monotonic()

    auth.login()
    with app.app_context():
        ids = list(db.session.scalars(select(InboxOrder.id).order_by(InboxOrder.id)))
        db.session.remove()
    answers.hold()  # the first batch Cin7 makes: its worker is killed before hearing back
    answers.fail(500)  # the next one: made, and answered 500 all the same
    state.faults.random(0.2, statuses=(429, 500), seed=5)
    for start in range(0, ORDERS, BATCH):
        response = client.post("/inbox/submit", data={"order_id": ids[start : start + BATCH]})
        assert response.status_code == 302
    workers = Workers(settings, tmp_path)
    try:
        submit_through_kills(app, workers, answers)
    finally:
        workers.stop()
    submitted = time.monotonic()

    assert count_orders(app, InboxOrder.cin7_id.is_(None)) == 0, workers.tail()
    assert len(state.orders) == ORDERS  # no duplicate Cin7 orders ...
    references = Counter(o["reference"] for o in state.orders.values())
    with app.app_context():
        keys = set(db.session.scalars(select(InboxOrder.submission_key)))
        found_again = count_events(InboxEventKind.AFTER_SUBMIT, "Found in Cin7 as %")
        not_confirmed = count_events(InboxEventKind.NOT_SUBMITTED_ERROR, "Cin7 did not confirm%")
        db.session.remove()
    assert set(references) == keys and set(references.values()) == {1}  # ... by key,
    assert Counter(o["customerOrderNo"] for o in state.orders.values()) == Counter(
        {f"#{5000 + n}": 1 for n in range(ORDERS)}  # ... and by the shop's order number
    )
    # The two batches whose answers were lost were found by key, not sent again.
    assert found_again >= 2 * BATCH and not_confirmed >= BATCH

    for order in state.orders.values():
        state.dispatch_order(order["id"], tracking_code=f"NZP{order['id']:09d}", carrier="NZ Post")
    state.faults.clear()
    state.faults.fail_next(429)
    state.faults.fail_next(500)
    since = state.clock()
    with app.app_context():
        summary = run_shipment_check(by="")
    checked = time.monotonic()
    lists = list_calls(state.api_calls(since), "SalesOrders")

    assert summary is not None and len(summary["shipped"]) == ORDERS
    with app.app_context():
        orders = db.session.scalars(select(InboxOrder)).all()
        shipped = {
            o.id: (o.folder.name, o.tracking_code, o.logistics_carrier, o.shipped_at is not None)
            for o in orders
        }
        expected = {o.id: ("Shipped", f"NZP{o.cin7_id:09d}", "NZ Post", True) for o in orders}
        db.session.remove()
    assert shipped == expected
    assert len(lists) <= LIST_CALLS_ALLOWED, [r.status for r in lists]
    assert workers.kills == 2 and answers.lost == 2

    calls = [r for r in state.api_calls() if r.t < since]
    print(
        f"\n{ORDERS} orders round trip: {checked - began:.1f} s (posting {posted - began:.1f} s, "
        f"submitting {submitted - posted:.1f} s, dispatching and one check "
        f"{checked - submitted:.1f} s)"
    )
    print(
        f"submitting: {len(calls)} Cin7 calls, {dict(Counter(r.status for r in calls))}; "
        f"{workers.kills} workers killed; {answers.lost} answers lost after Cin7 acted; "
        f"{not_confirmed} orders not confirmed, {found_again} found in Cin7 by their key "
        f"instead of sent again; {len(state.orders) - ORDERS} duplicate Cin7 orders"
    )
    print(
        f"shipment check: {len(lists)} SalesOrders list calls (allowed {LIST_CALLS_ALLOWED}), "
        f"statuses {[r.status for r in lists]}"
    )


def submit_through_kills(app: Flask, workers: Workers, answers: LostAnswers) -> None:
    """Workers run the queued submissions; two are killed mid-submission, the sweep mends."""
    first = workers.start()
    assert answers.held.wait(60), workers.tail()
    started = datetime.now(UTC)
    second = workers.start()  # a replacement comes up while the first waits for Cin7
    claimed = within(60, lambda: count_orders(app, InboxOrder.submitting_since > started) > 0)
    assert claimed, workers.tail()
    workers.kill(first)  # Cin7 made its batch; it never heard which ids it got
    answers.release()
    workers.kill(second)  # it held claimed orders, and its job is gone with it
    workers.start()  # the one left runs the rest of the queue, and the sweep, one at a time

    def all_in_cin7() -> bool:
        return count_orders(app, InboxOrder.cin7_id.is_(None)) == 0

    deadline = time.monotonic() + 120
    while not all_in_cin7():
        assert time.monotonic() < deadline, workers.tail()
        with app.app_context():
            jobs().resubmit_inbox()  # every minute in production; asked for here
        within(1.0, all_in_cin7)


def count_events(kind: InboxEventKind, message: str) -> int:
    """Events of ``kind`` whose message is LIKE ``message`` (inside an app context)."""
    query = select(func.count()).where(InboxEvent.kind == kind, InboxEvent.message.like(message))
    return db.session.scalar(query) or 0
