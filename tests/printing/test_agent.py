"""The print agent against a real Station server and a real TCP printer: once, even when killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from printers.agent import PAUSE_ENV, Agent, Journal
from printers.testing import ZebraListener
from station.db import utcnow
from station.extensions import db
from station.models import JobState, Printer, PrintJob
from station.printing.agents import register_agent, revoke_agent
from station.printing.queue import queue_job
from tests.fakes.http import serving
from tests.waiting import wait_until

STATION = str(Path(sys.executable).parent / "station")


@pytest.fixture
def zebra() -> Iterator[ZebraListener]:
    with ZebraListener() as listener:
        yield listener


@pytest.fixture
def server(app: Flask) -> Iterator[str]:
    with serving(app) as base:
        yield base


def setup_agent(app: Flask, zebra: ZebraListener, labels: int) -> str:
    """An agent owning one Zebra with ``labels`` queued jobs; returns the agent's token."""
    with app.app_context():
        new = register_agent(db.session, "Bench 3 PC")
        printer = Printer(
            name="Bench 3 Zebra",
            agent=new.agent,
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
        for n in range(labels):
            queue_job(db.session, printer, label(n), kind="label", format="zpl")
        db.session.commit()
        return new.token


def label(n: int) -> bytes:
    return f"^XA^FDagent label {n}^FS^XZ\n".encode()


def states(app: Flask) -> list[str]:
    with app.app_context():
        return [j.state.value for j in db.session.scalars(select(PrintJob).order_by(PrintJob.id))]


def make_agent(server: str, token: str, journal: Path) -> Agent:
    return Agent(server, token, Journal(journal), poll_wait=0.0)


def run_until_idle(agent: Agent, rounds: int = 20) -> None:
    for _ in range(rounds):
        if agent.run_once() == 0:
            return


def test_agent_prints_its_jobs_in_order_and_reports_them(
    app: Flask, server: str, zebra: ZebraListener, tmp_path: Path
) -> None:
    token = setup_agent(app, zebra, 3)

    run_until_idle(make_agent(server, token, tmp_path / "journal"))

    assert zebra.wait_for_jobs(3) == [label(0), label(1), label(2)]
    assert states(app) == ["done"] * 3


def test_a_job_the_journal_says_printed_is_reported_not_reprinted(
    app: Flask, server: str, zebra: ZebraListener, tmp_path: Path
) -> None:
    token = setup_agent(app, zebra, 1)
    with app.app_context():
        job_id = db.session.scalar(select(PrintJob.id))
    Journal(tmp_path / "journal").write(
        job_id, "sent"
    )  # printed, then the agent died before reporting

    run_until_idle(make_agent(server, token, tmp_path / "journal"))

    assert zebra.jobs == []
    assert states(app) == ["done"]


def test_a_job_interrupted_mid_send_is_failed_for_a_person(
    app: Flask, server: str, zebra: ZebraListener, tmp_path: Path
) -> None:
    token = setup_agent(app, zebra, 1)
    with app.app_context():
        job_id = db.session.scalar(select(PrintJob.id))
    Journal(tmp_path / "journal").write(job_id, "sending")

    run_until_idle(make_agent(server, token, tmp_path / "journal"))

    assert zebra.jobs == []
    with app.app_context():
        job = db.session.get(PrintJob, job_id)
        assert (
            job is not None and job.state == JobState.FAILED and "reprint" in (job.last_error or "")
        )


def test_a_job_cut_off_whose_failure_report_was_lost_is_not_sent_again(
    app: Flask, server: str, zebra: ZebraListener, tmp_path: Path
) -> None:
    token = setup_agent(app, zebra, 1)
    with app.app_context():
        job_id = db.session.scalar(select(PrintJob.id))
    journal = Journal(tmp_path / "journal")
    journal.write(job_id, "sending")
    journal.write(job_id, "failed")  # part sent; the "failed" report never reached the server

    run_until_idle(make_agent(server, token, tmp_path / "journal"))

    assert zebra.jobs == []
    with app.app_context():
        job = db.session.get(PrintJob, job_id)
        assert job is not None and job.state == JobState.FAILED
        assert "part-way" in (job.last_error or "")


def test_an_offline_printer_makes_the_job_wait_then_print(
    app: Flask, server: str, zebra: ZebraListener, tmp_path: Path
) -> None:
    token = setup_agent(app, zebra, 1)
    zebra.stop()
    agent = make_agent(server, token, tmp_path / "journal")

    agent.run_once()
    waiting = states(app)
    zebra.restart()
    with app.app_context():
        for job in db.session.scalars(select(PrintJob)):
            job.next_attempt_at = utcnow()
        db.session.commit()
    run_until_idle(agent)

    assert waiting == ["queued"]
    assert zebra.wait_for_jobs(1) == [label(0)]
    assert states(app) == ["done"]


def test_a_paused_printer_at_the_agent_gets_nothing_until_it_is_ready(
    app: Flask, server: str, zebra: ZebraListener, tmp_path: Path
) -> None:
    token = setup_agent(app, zebra, 1)
    zebra.set_status(paused=True)
    agent = make_agent(server, token, tmp_path / "journal")

    agent.run_once()
    with app.app_context():
        job = db.session.scalar(select(PrintJob))
        assert job is not None
        waiting, error = job.state, job.last_error or ""
        job.next_attempt_at = utcnow()
        db.session.commit()
    zebra.set_status()
    run_until_idle(agent)

    assert waiting == JobState.QUEUED
    assert "is paused — press the pause (or feed) button" in error and "retrying in" in error
    assert zebra.wait_for_jobs(1) == [label(0)]
    assert states(app) == ["done"]


def test_a_revoked_token_is_refused(
    app: Flask, server: str, zebra: ZebraListener, tmp_path: Path
) -> None:
    token = setup_agent(app, zebra, 1)
    with app.app_context():
        from station.models import PrintAgent

        agent_row = db.session.scalar(select(PrintAgent))
        assert agent_row is not None
        revoke_agent(agent_row, now=utcnow())
        db.session.commit()

    with pytest.raises(PermissionError, match="revoked"):
        make_agent(server, token, tmp_path / "journal").run_once()
    assert zebra.jobs == []


@pytest.mark.both_databases
@pytest.mark.slow
@pytest.mark.parametrize("kill_at", ["before_send", "after_send"])
def test_agent_killed_mid_job_prints_it_exactly_once_after_restart(
    app: Flask, server: str, zebra: ZebraListener, tmp_path: Path, kill_at: str
) -> None:
    token = setup_agent(app, zebra, 2)
    journal = tmp_path / "journal"
    marker = tmp_path / "paused"
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATION_")}
    command = [STATION, "agent", "--server", server, "--token", token, "--journal", str(journal)]

    first = subprocess.Popen(
        command, env={**env, PAUSE_ENV: kill_at, f"{PAUSE_ENV}_MARKER": str(marker)}
    )

    def paused() -> bool:
        assert first.poll() is None, "the agent exited before reaching the pause point"
        return marker.exists()

    wait_until(paused, timeout=60, what="the agent to pause")
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    second = subprocess.Popen(command, env=env)
    try:
        received = zebra.wait_for_jobs(2, timeout=60)
        wait_until(lambda: states(app) == ["done", "done"], timeout=30, what="both jobs done")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    assert received == [label(0), label(1)]
    assert len(zebra.jobs) == 2
    assert states(app) == ["done", "done"]


def test_an_agent_writes_file_printer_jobs_only_under_its_own_folder(
    app: Flask, server: str, tmp_path: Path
) -> None:
    outside, root = tmp_path / "elsewhere", tmp_path / "agent" / "labels"
    with app.app_context():
        new = register_agent(db.session, "Bench 4 PC")
        for name, directory in (("Inside", "bench4"), ("Outside", str(outside))):
            printer = Printer(
                name=name,
                agent=new.agent,
                spec={"format": "zpl", "transport": "file", "directory": directory},
            )
            db.session.add(printer)
            db.session.flush()
            queue_job(db.session, printer, label(1), kind="label", format="zpl")
        db.session.commit()
    agent = Agent(server, new.token, Journal(tmp_path / "agent" / "journal"), poll_wait=0.0)

    run_until_idle(agent)

    assert states(app) == ["done", "failed"]
    assert [p.read_bytes() for p in (root / "bench4").iterdir()] == [label(1)]
    assert not outside.exists()
