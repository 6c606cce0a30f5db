"""``station doctor``'s checks, each against the real thing: databases, Redis, the Cin7
sandbox over HTTP, the outbox and print queue tables, the clock, the instance folder."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from station.cin7.sandbox import DEMO_API_KEY, DEMO_USERNAME, SandboxServer
from station.cin7.setup import save_connection
from station.cin7.wiring import cin7_wiring
from station.db import utcnow
from station.extensions import db
from station.models import (
    JobState,
    OutboxItem,
    OutboxKind,
    OutboxState,
    Printer,
    PrintJob,
)
from station.ops.checks import Check, Status
from station.ops.doctor import (
    check_cin7,
    check_clock,
    check_database,
    check_instance_folder,
    check_outbox,
    check_print_queue,
    check_redis,
    migration_scripts,
    run_checks,
)
from tests.builders import add_order
from tests.conftest import REDIS_URL, service_missing
from tests.fakes.ports import free_port


class TestDatabase:
    def test_a_migrated_database_is_at_head(self, app: Flask) -> None:
        [head] = migration_scripts().get_heads()
        with app.app_context():
            check = check_database(db.engine, migration_scripts())

        assert check.status is Status.OK
        assert f"schema at head {head}" in check.detail

    @pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
    def test_a_database_behind_the_code_asks_for_an_upgrade(self, app: Flask) -> None:
        [head] = migration_scripts().get_heads()
        previous = migration_scripts().get_revision(head).down_revision
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": previous})
            check = check_database(db.engine, migration_scripts())

        assert check.status is Status.FAIL
        assert check.detail.endswith(
            f"is at revision {previous}, this code expects {head}: run `station db upgrade`"
        )

    @pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
    def test_a_database_newer_than_the_code_says_so(self, app: Flask) -> None:
        with app.app_context():
            with db.engine.begin() as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = 'f00dfeed0001'"))
            check = check_database(db.engine, migration_scripts())

        assert check.status is Status.FAIL
        assert "f00dfeed0001, which this code does not know" in check.detail

    def test_an_empty_database_has_no_schema_yet(self, tmp_path: Path) -> None:
        engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")

        check = check_database(engine, migration_scripts())

        assert check.status is Status.FAIL
        assert check.detail.endswith("has no schema yet: run `station db upgrade`")

    def test_an_unreachable_database_fails_without_showing_its_password(self) -> None:
        engine = create_engine(
            f"postgresql+psycopg://station:hunter2@127.0.0.1:{free_port()}/station",
            connect_args={"connect_timeout": 2},
        )

        check = check_database(engine, migration_scripts())

        assert check.status is Status.FAIL
        assert "station:***@127.0.0.1" in check.detail and "is unreachable" in check.detail
        assert "hunter2" not in check.detail


class TestRedis:
    def test_without_a_url_jobs_run_on_sqlite(self) -> None:
        assert check_redis(None) == Check("redis", Status.OK, "not configured: jobs on SQLite")

    def test_a_closed_port_fails(self) -> None:
        check = check_redis(f"redis://:hunter2@127.0.0.1:{free_port()}/0", timeout=1)

        assert check.status is Status.FAIL and "does not answer" in check.detail
        assert "hunter2" not in check.detail

    @pytest.mark.redis
    def test_a_running_redis_answers(self) -> None:
        check = check_redis(REDIS_URL)
        if check.status is not Status.OK:
            service_missing("Redis", check.detail)

        assert check.detail.endswith("answers PING")


class TestCin7:
    def test_without_credentials_it_warns(self, ctx: Session, app: Flask) -> None:
        check = check_cin7(ctx, cin7_wiring())

        assert check.status is Status.WARN
        assert check.detail.startswith("not configured")

    def test_the_configured_connection_answers_one_call(
        self, ctx: Session, sandbox: SandboxServer
    ) -> None:
        connect(ctx, sandbox, DEMO_API_KEY)
        calls_before = len(sandbox.state.api_calls())

        check = check_cin7(ctx, cin7_wiring())

        assert check == Check("cin7", Status.OK, f"{sandbox.base_url} as {DEMO_USERNAME} answered")
        assert len(sandbox.state.api_calls()) == calls_before + 1

    def test_a_refused_key_fails_without_showing_it(
        self, ctx: Session, sandbox: SandboxServer
    ) -> None:
        connect(ctx, sandbox, "sk-wrong-key-NEVER-SHOWN")

        check = check_cin7(ctx, cin7_wiring())

        assert check.status is Status.FAIL
        assert "refused the API username/key" in check.detail
        assert "NEVER-SHOWN" not in check.detail

    def test_rate_limiting_is_a_warning_and_is_not_retried(
        self, ctx: Session, sandbox: SandboxServer
    ) -> None:
        connect(ctx, sandbox, DEMO_API_KEY)
        sandbox.state.faults.fail_next(429, count=3, retry_after=0)
        calls_before = len(sandbox.state.api_calls())

        check = check_cin7(ctx, cin7_wiring())

        assert check.status is Status.WARN and "refusing calls for now" in check.detail
        assert len(sandbox.state.api_calls()) == calls_before + 1


def connect(session: Session, sandbox: SandboxServer, api_key: str) -> None:
    """Enter the sandbox's connection in Settings, as a manager would."""
    store = cin7_wiring().settings(session)
    save_connection(
        store,
        base_url=sandbox.base_url,
        username=DEMO_USERNAME,
        api_key=api_key,
        allow_private=cin7_wiring().allow_private,  # the sandbox is plain http on loopback
    )
    session.commit()


class TestOutbox:
    def test_pending_write_backs_are_fine(self, ctx: Session) -> None:
        add_outbox(ctx, OutboxState.PENDING, OutboxState.SENDING, OutboxState.DONE)

        assert check_outbox(ctx) == Check("outbox", Status.OK, "2 pending, none failed")

    def test_a_failed_write_back_warns_and_names_the_page(self, ctx: Session) -> None:
        add_outbox(ctx, OutboxState.PENDING, OutboxState.FAILED, OutboxState.FAILED)

        check = check_outbox(ctx)

        assert check.status is Status.WARN
        assert check.detail == (
            "1 pending, 2 failed: failed write-backs wait for a person on Needs attention (/outbox)"
        )


def add_outbox(session: Session, *states: OutboxState) -> None:
    order = add_order(session)
    for number, state in enumerate(states):
        session.add(
            OutboxItem(
                kind=OutboxKind.DISPATCHED,
                state=state,
                dedupe_key=f"dispatched-{number}",
                order_id=order.id,
                payload={},
            )
        )
    session.commit()


class TestPrintQueue:
    def test_fresh_and_finished_jobs_are_not_stuck(self, ctx: Session) -> None:
        now = utcnow()
        add_job(ctx, JobState.QUEUED, created=now - timedelta(minutes=2))
        add_job(ctx, JobState.DONE, created=now - timedelta(hours=3))
        add_job(ctx, JobState.SENDING, created=now, sending=now - timedelta(seconds=30))

        assert check_print_queue(ctx, now=now) == Check("print queue", Status.OK, "no stuck jobs")

    def test_long_queued_and_long_sending_jobs_warn(self, ctx: Session) -> None:
        now = utcnow()
        add_job(ctx, JobState.QUEUED, created=now - timedelta(minutes=42))
        add_job(
            ctx,
            JobState.SENDING,
            created=now - timedelta(minutes=5),
            sending=now - timedelta(minutes=3),
        )

        check = check_print_queue(ctx, now=now)

        assert check.status is Status.WARN
        assert check.detail == (
            "2 stuck jobs, the oldest queued 42 min ago for Bench 1: "
            "see the print queue (/printers/queue)"
        )


def add_job(
    session: Session, state: JobState, *, created: datetime, sending: datetime | None = None
) -> None:
    printer = session.scalar(select(Printer).where(Printer.name == "Bench 1"))
    if printer is None:
        printer = Printer(name="Bench 1", spec={"format": "zpl", "transport": "memory"})
        session.add(printer)
    session.add(
        PrintJob(
            printer=printer,
            kind="label",
            format="zpl",
            payload=b"^XA^XZ",
            state=state,
            created_at=created,
            next_attempt_at=sending or created,  # a sending job: when it was claimed
        )
    )
    session.commit()


class TestClock:
    def test_the_database_and_this_machine_agree(self, ctx: Session, app: Flask) -> None:
        check = check_clock(db.engine)

        assert check.status is Status.OK
        assert check.detail.startswith("the database clock is within 0.")

    def test_a_clock_ten_seconds_off_warns(self, ctx: Session, app: Flask) -> None:
        check = check_clock(db.engine, local_now=lambda: utcnow() + timedelta(seconds=10))

        assert check.status is Status.WARN
        assert check.detail.startswith("the database clock is 10.0 s behind this machine's")


class TestInstanceFolder:
    def test_a_writable_folder_is_ok_and_left_clean(self, tmp_path: Path) -> None:
        check = check_instance_folder(tmp_path)

        assert check.status is Status.OK and check.detail.startswith(f"{tmp_path} is writable")
        assert list(tmp_path.iterdir()) == []

    def test_a_file_where_the_folder_should_be_fails(self, tmp_path: Path) -> None:
        not_a_folder = tmp_path / "instance"
        not_a_folder.write_text("")

        check = check_instance_folder(not_a_folder)

        assert check.status is Status.FAIL
        assert check.detail.startswith(f"{not_a_folder} is not writable: ")


def test_without_a_schema_the_table_checks_wait_for_the_database(
    app: Flask, tmp_path: Path
) -> None:
    empty = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with app.app_context():
        checks = run_checks(
            db.session,
            engine=empty,
            redis_url=None,
            instance_path=tmp_path,
            cin7=cin7_wiring(),
        )

    assert [(c.name, c.status) for c in checks] == [
        ("database", Status.FAIL),
        ("redis", Status.OK),
        ("cin7", Status.WARN),
        ("printers", Status.WARN),
        ("outbox", Status.WARN),
        ("print queue", Status.WARN),
        ("clock", Status.WARN),
        ("instance folder", Status.OK),
    ]
    assert checks[2].detail == "not checked until the database check passes"
