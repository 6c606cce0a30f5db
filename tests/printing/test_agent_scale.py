"""The agent's scale: a fake bench scale streaming weights, a real Station server over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from printers.agent import ScaleFeeder, run_agent
from printers.testing import FakeScale, ZebraListener
from station.db import utcnow
from station.extensions import db
from station.models import PrintAgent, Printer, PrintJob
from station.printing.agents import ScaleWeight, latest_weight, register_agent, revoke_agent
from station.printing.queue import queue_job
from tests.fakes.http import serving
from tests.waiting import wait_until

FRESH = timedelta(minutes=1)
STATION = str(Path(sys.executable).parent / "station")


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    with serving(app) as base:
        yield base


@pytest.fixture
def scale() -> Iterator[FakeScale]:
    with FakeScale() as fake:
        yield fake


@pytest.fixture
def agent(app: Flask) -> tuple[int, str]:
    """A registered agent: its id and token."""
    with app.app_context():
        new = register_agent(db.session, "Bench 3 PC")
        db.session.commit()
        return new.agent.id, new.token


def weight_now(app: Flask, agent_id: int) -> ScaleWeight | None:
    with app.app_context():
        try:
            return latest_weight(db.session, agent_id, FRESH)
        finally:
            db.session.remove()


def add_printer_with_a_label(app: Flask, agent_id: int, zebra: ZebraListener) -> None:
    """A Zebra on the agent, with one label queued for it."""
    with app.app_context():
        printer = Printer(
            name="Bench 3 Zebra",
            agent_id=agent_id,
            spec={
                "format": "zpl",
                "transport": "tcp9100",
                "host": "127.0.0.1",
                "port": zebra.port,
                "timeout": 1.0,
            },
        )
        db.session.add(printer)
        db.session.flush()
        queue_job(db.session, printer, b"^XA^FDparcel^FS^XZ", kind="label", format="zpl")
        db.session.commit()


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Poll ``condition`` until it holds; fail with a clear message after ``timeout``."""
    wait_until(condition, timeout=timeout)


def test_only_a_settled_weight_is_posted(
    app: Flask, server: str, scale: FakeScale, agent: tuple[int, str], tmp_path: Path
) -> None:
    agent_id, token = agent
    scale.show("US,GS,+  0.900kg", "US,GS,+  1.100kg", "US,GS,+  1.240kg", "ST,GS,+  1.234kg")

    handled = run_agent(
        server, token, tmp_path / "journal", once=True, scale_port=scale.url, scale_baud=9600
    )

    weight = weight_now(app, agent_id)
    assert handled == 0
    assert weight is not None and (weight.grams, weight.stable) == (1234, True)


def test_the_running_agent_prints_and_follows_the_scale(
    app: Flask, server: str, scale: FakeScale, agent: tuple[int, str], tmp_path: Path
) -> None:
    agent_id, token = agent
    scale.show("   1.234 kg")  # no stability flag: settled once it repeats
    stop = threading.Event()
    with ZebraListener() as zebra:
        add_printer_with_a_label(app, agent_id, zebra)
        running = threading.Thread(
            target=run_agent,
            args=(server, token, tmp_path / "journal"),
            kwargs={"scale_port": scale.url, "stop": stop, "poll_wait": 0.2},
        )
        running.start()
        try:
            wait_for(lambda: (w := weight_now(app, agent_id)) is not None and w.grams == 1234)
            scale.show("   2.5 lb")
            wait_for(lambda: (w := weight_now(app, agent_id)) is not None and w.grams == 1134)
            jobs = zebra.wait_for_jobs(1, timeout=15)
        finally:
            stop.set()
            running.join(timeout=30)

    assert not running.is_alive()
    assert jobs == [b"^XA^FDparcel^FS^XZ"]
    with app.app_context():
        assert [j.state.value for j in db.session.scalars(select(PrintJob))] == ["done"]


def test_an_unplugged_scale_is_read_again_when_it_comes_back(
    app: Flask, server: str, scale: FakeScale, agent: tuple[int, str]
) -> None:
    agent_id, token = agent
    feeder = ScaleFeeder.connect(server, token, scale.url)
    stop = threading.Event()
    scale.show("ST,GS,+  1.000kg")
    running = threading.Thread(target=feeder.run, args=(stop,))
    running.start()
    try:
        wait_for(lambda: (w := weight_now(app, agent_id)) is not None and w.grams == 1000)
        scale.stop()  # the cable is pulled
        scale.show("ST,GS,+  3.000kg")
        scale.start()
        wait_for(lambda: (w := weight_now(app, agent_id)) is not None and w.grams == 3000)
    finally:
        stop.set()
        running.join(timeout=30)

    assert scale.connections >= 2 and not running.is_alive()


def test_a_revoked_agents_scale_is_not_listened_to(
    app: Flask, server: str, scale: FakeScale, agent: tuple[int, str]
) -> None:
    agent_id, token = agent
    with app.app_context():
        row = db.session.get(PrintAgent, agent_id)
        assert row is not None
        revoke_agent(row, now=utcnow())
        db.session.commit()
    scale.show("ST,GS,+  1.000kg")
    feeder = ScaleFeeder.connect(server, token, scale.url)

    running = threading.Thread(target=feeder.run, args=(threading.Event(),))
    running.start()
    running.join(timeout=30)

    assert not running.is_alive()  # it gave up instead of posting forever
    with app.app_context():
        row = db.session.get(PrintAgent, agent_id)
        assert row is not None and row.scale_grams is None


def test_once_without_a_settled_weight_posts_nothing(
    app: Flask, server: str, scale: FakeScale, agent: tuple[int, str]
) -> None:
    agent_id, token = agent
    scale.show("US,GS,+  1.100kg")  # never settles
    feeder = ScaleFeeder.connect(server, token, scale.url)

    try:
        posted = feeder.run_once(timeout=0.5)
    finally:
        feeder.close()

    assert posted is None and weight_now(app, agent_id) is None


def test_station_agent_once_with_a_scale_posts_its_weight(
    app: Flask, server: str, scale: FakeScale, agent: tuple[int, str], tmp_path: Path
) -> None:
    agent_id, token = agent
    scale.show("S D     2.000 kg", "S S     2.345 kg")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATION_")}
    command = [STATION, "agent", "--server", server, "--token", token, "--once"]
    command += [
        "--journal",
        str(tmp_path / "journal"),
        "--scale",
        scale.url,
        "--scale-baud",
        "4800",
    ]

    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)

    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "handled 0 jobs"
    weight = weight_now(app, agent_id)
    assert weight is not None and (weight.grams, weight.stable) == (2345, True)


def test_station_agent_with_a_missing_scale_still_prints(
    app: Flask, server: str, agent: tuple[int, str], tmp_path: Path
) -> None:
    agent_id, token = agent
    zebra = ZebraListener().start()
    add_printer_with_a_label(app, agent_id, zebra)
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATION_")}
    command = [STATION, "agent", "--server", server, "--token", token, "--once"]
    command += ["--journal", str(tmp_path / "journal"), "--scale", "/dev/ttyNOPE0"]

    try:
        finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    finally:
        zebra.stop()

    assert finished.returncode == 0 and finished.stdout.strip() == "handled 1 jobs"
    assert "cannot open the scale on /dev/ttyNOPE0" in finished.stderr
    assert zebra.wait_for_jobs(1) == [b"^XA^FDparcel^FS^XZ"]
