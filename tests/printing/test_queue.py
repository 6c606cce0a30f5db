"""The print queue against a real TCP listener: once, in order, through outages."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from printers.errors import PrinterOffline, PrinterRejected
from printers.files import MemoryTransport
from printers.tcp import TcpTransport
from printers.testing import ZebraListener
from station.extensions import db
from station.models import JobState, Printer, PrintJob
from station.printing.queue import (
    ReprintRefused,
    drain_printer,
    queue_job,
    recover_interrupted,
    reprint,
    retry_now,
)
from station.printing.transports import transport_for


class Clock:
    """A clock tests move by hand; jobs are queued at its time."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def zebra() -> Iterator[ZebraListener]:
    with ZebraListener() as listener:
        yield listener


@pytest.fixture
def clock() -> Clock:
    return Clock()


def add_printer(app: Flask, zebra: ZebraListener) -> int:
    with app.app_context():
        printer = Printer(
            name="Bench 1 Zebra",
            spec={
                "format": "zpl",
                "transport": "tcp9100",
                "host": "127.0.0.1",
                "port": zebra.port,
                "timeout": 1.0,
            },
        )
        db.session.add(printer)
        db.session.commit()
        return printer.id


def label(n: int) -> bytes:
    return f"^XA^FO50,50^A0N,40,40^FDlabel {n}^FS^XZ\n".encode()


def queue_labels(app: Flask, printer_id: int, count: int, clock: Clock) -> None:
    with app.app_context():
        printer = db.session.get(Printer, printer_id)
        for n in range(count):
            queue_job(
                db.session,
                printer,
                label(n),
                kind="label",
                format="zpl",
                description=f"label {n}",
                now=clock(),
            )
        db.session.commit()


def drain(app: Flask, printer_id: int, clock: Clock):  # type: ignore[no-untyped-def]
    with app.app_context():
        printer = db.session.get(Printer, printer_id)
        return drain_printer(db.session, printer, transport_for(printer), now=clock)


def states(app: Flask) -> list[str]:
    with app.app_context():
        return [j.state.value for j in db.session.scalars(select(PrintJob).order_by(PrintJob.id))]


def test_queued_labels_reach_the_printer_byte_for_byte(
    app: Flask, zebra: ZebraListener, clock: Clock
) -> None:
    printer_id = add_printer(app, zebra)
    queue_labels(app, printer_id, 3, clock)

    result = drain(app, printer_id, clock)

    assert result.printed == 3 and result.waiting == 0
    assert zebra.wait_for_jobs(3) == [label(0), label(1), label(2)]
    assert states(app) == ["done"] * 3


def test_printer_offline_then_back_prints_each_job_once_in_order(
    app: Flask, zebra: ZebraListener, clock: Clock
) -> None:
    printer_id = add_printer(app, zebra)
    zebra.stop()
    queue_labels(app, printer_id, 5, clock)

    offline = drain(app, printer_id, clock)
    clock.advance(10)
    still_offline = drain(app, printer_id, clock)
    clock.advance(20)  # 30 s of outage
    zebra.restart()
    back = drain(app, printer_id, clock)

    assert (offline.printed, offline.waiting) == (0, 5) and offline.retry_in == pytest.approx(2.0)
    assert still_offline.printed == 0
    assert back.printed == 5
    assert zebra.wait_for_jobs(5) == [label(n) for n in range(5)]
    assert states(app) == ["done"] * 5
    with app.app_context():
        first = db.session.scalar(select(PrintJob).order_by(PrintJob.id))
        assert first is not None and first.attempts == 3 and first.last_error is None


def test_waiting_jobs_tell_the_person_why(app: Flask, zebra: ZebraListener, clock: Clock) -> None:
    printer_id = add_printer(app, zebra)
    zebra.stop()
    queue_labels(app, printer_id, 1, clock)

    drain(app, printer_id, clock)

    with app.app_context():
        job = db.session.scalar(select(PrintJob))
        assert job is not None and job.state == JobState.QUEUED
        assert f"127.0.0.1:{zebra.port}" in (job.last_error or "") and "retrying in 2 s" in (
            job.last_error or ""
        )


def test_a_job_cut_off_mid_send_is_failed_not_resent(app: Flask, clock: Clock) -> None:
    memory = MemoryTransport()
    memory.fail_next(PrinterOffline("printer dropped the connection", partial=True))
    with app.app_context():
        printer = Printer(name="mem", spec={"format": "zpl", "transport": "memory"})
        db.session.add(printer)
        db.session.flush()
        queue_job(db.session, printer, label(1), kind="label", format="zpl", now=clock())
        queue_job(db.session, printer, label(2), kind="label", format="zpl", now=clock())
        db.session.commit()

        result = drain_printer(db.session, printer, memory, now=clock)
        jobs = db.session.scalars(select(PrintJob).order_by(PrintJob.id)).all()

        assert result.failed == 1 and result.printed == 1
        assert jobs[0].state == JobState.FAILED and "reprint if needed" in (
            jobs[0].last_error or ""
        )
        assert memory.jobs == [label(2)]


def test_a_rejected_job_fails_with_the_reason(app: Flask, clock: Clock) -> None:
    memory = MemoryTransport()
    memory.fail_next(PrinterRejected("lp: unknown queue 'front'"))
    with app.app_context():
        printer = Printer(name="mem", spec={"format": "zpl", "transport": "memory"})
        db.session.add(printer)
        db.session.flush()
        queue_job(db.session, printer, label(1), kind="label", format="zpl", now=clock())
        db.session.commit()

        drain_printer(db.session, printer, memory, now=clock)
        job = db.session.scalar(select(PrintJob))

        assert (
            job is not None
            and job.state == JobState.FAILED
            and "unknown queue" in (job.last_error or "")
        )


def test_a_job_left_sending_by_a_dead_worker_is_never_resent(
    app: Flask, zebra: ZebraListener, clock: Clock
) -> None:
    printer_id = add_printer(app, zebra)
    queue_labels(app, printer_id, 1, clock)
    with app.app_context():
        job = db.session.scalar(select(PrintJob))
        assert job is not None
        job.state, job.next_attempt_at = JobState.SENDING, clock.now - timedelta(minutes=5)
        db.session.commit()

        recovered = recover_interrupted(db.session, now=clock.now)

    drain(app, printer_id, clock)
    assert recovered == 1
    assert states(app) == ["failed"]
    assert zebra.jobs == []


def test_reprint_queues_the_same_bytes_again(
    app: Flask, zebra: ZebraListener, clock: Clock
) -> None:
    printer_id = add_printer(app, zebra)
    queue_labels(app, printer_id, 1, clock)
    drain(app, printer_id, clock)

    with app.app_context():
        original = db.session.scalar(select(PrintJob))
        assert original is not None
        copy = reprint(db.session, original)
        copy.next_attempt_at = clock.now
        db.session.commit()
        assert copy.reprint_of_id == original.id and copy.kind == "reprint"
    drain(app, printer_id, clock)

    assert zebra.wait_for_jobs(2) == [label(0), label(0)]


def test_an_unfinished_job_cannot_be_reprinted(
    app: Flask, zebra: ZebraListener, clock: Clock
) -> None:
    printer_id = add_printer(app, zebra)
    queue_labels(app, printer_id, 1, clock)

    with app.app_context():
        job = db.session.scalar(select(PrintJob))
        assert job is not None
        with pytest.raises(ReprintRefused, match="has not finished"):
            reprint(db.session, job)


def test_the_same_dedupe_key_queues_once(app: Flask, zebra: ZebraListener) -> None:
    printer_id = add_printer(app, zebra)
    with app.app_context():
        printer = db.session.get(Printer, printer_id)
        first = queue_job(
            db.session,
            printer,
            label(1),
            kind="label",
            format="zpl",
            dedupe_key="consignment-7-parcel-1",
        )
        db.session.commit()
        again = queue_job(
            db.session,
            printer,
            label(1),
            kind="label",
            format="zpl",
            dedupe_key="consignment-7-parcel-1",
        )

        assert again.id == first.id
        assert len(db.session.scalars(select(PrintJob)).all()) == 1


@pytest.mark.both_databases
def test_two_workers_draining_at_once_print_each_job_once(
    app: Flask, zebra: ZebraListener, clock: Clock
) -> None:
    printer_id = add_printer(app, zebra)
    queue_labels(app, printer_id, 12, clock)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            drain(app, printer_id, clock)
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    drain(app, printer_id, clock)  # whatever one worker left behind

    assert not errors
    assert sorted(zebra.wait_for_jobs(12)) == sorted(label(n) for n in range(12))
    assert len(zebra.jobs) == 12
    assert states(app) == ["done"] * 12


def test_tcp_transport_reaches_the_listener(zebra: ZebraListener) -> None:
    TcpTransport("127.0.0.1", zebra.port, timeout=1.0).send(label(9))

    assert zebra.wait_for_jobs(1) == [label(9)]


def last_errors(app: Flask) -> list[str | None]:
    with app.app_context():
        return [j.last_error for j in db.session.scalars(select(PrintJob).order_by(PrintJob.id))]


class TestPrinterStatusBeforeSending:
    """A network Zebra is asked ``~HS`` first; one that cannot print is not sent the label."""

    def test_a_paused_printer_keeps_its_jobs_queued_and_says_what_to_do(
        self, app: Flask, zebra: ZebraListener, clock: Clock
    ) -> None:
        printer_id = add_printer(app, zebra)
        zebra.set_status(paused=True)
        queue_labels(app, printer_id, 2, clock)

        result = drain(app, printer_id, clock)

        assert (result.printed, result.waiting, result.retry_in) == (0, 2, pytest.approx(2.0))
        assert states(app) == ["queued", "queued"]
        assert last_errors(app)[0] == (
            f"Printer 'Bench 1 Zebra' at 127.0.0.1:{zebra.port} is paused — press the pause "
            "(or feed) button on the printer to resume (retrying in 2 s)"
        )
        assert zebra.jobs == []

    def test_retries_back_off_while_the_printer_is_out_of_labels_then_print_once(
        self, app: Flask, zebra: ZebraListener, clock: Clock
    ) -> None:
        printer_id = add_printer(app, zebra)
        zebra.set_status(paper_out=True, paused=True)
        queue_labels(app, printer_id, 3, clock)

        first = drain(app, printer_id, clock)
        too_soon = drain(app, printer_id, clock)  # the backoff has not passed: nobody asks
        queries_before_retry = zebra.wait_for_queries(1)
        clock.advance(2)
        second = drain(app, printer_id, clock)
        error_while_out = last_errors(app)[0] or ""
        zebra.set_status()  # someone loaded labels and pressed feed
        clock.advance(4)
        done = drain(app, printer_id, clock)

        assert (first.retry_in, second.retry_in) == (pytest.approx(2.0), pytest.approx(4.0))
        assert too_soon.printed == 0 and queries_before_retry == 1
        assert "is out of labels and is paused — load a new roll" in error_while_out
        assert second.printed == 0 and "retrying in 4 s" in error_while_out
        assert done.printed == 3
        assert zebra.wait_for_jobs(3) == [label(0), label(1), label(2)]
        assert states(app) == ["done"] * 3
        with app.app_context():
            head = db.session.scalar(select(PrintJob).order_by(PrintJob.id))
            assert head is not None and head.attempts == 3 and head.last_error is None

    def test_a_printer_that_never_answers_hs_is_printed_to_normally(
        self, app: Flask, clock: Clock
    ) -> None:
        with ZebraListener(answer_status=False) as silent:
            printer_id = add_printer(app, silent)
            queue_labels(app, printer_id, 2, clock)

            result = drain(app, printer_id, clock)

            assert result.printed == 2
            assert silent.wait_for_jobs(2) == [label(0), label(1)]
            assert states(app) == ["done", "done"]

    def test_a_printer_with_the_check_turned_off_is_not_asked(
        self, app: Flask, zebra: ZebraListener, clock: Clock
    ) -> None:
        printer_id = add_printer(app, zebra)
        with app.app_context():
            printer = db.session.get(Printer, printer_id)
            assert printer is not None
            printer.spec = {**printer.spec, "check_status": False}
            db.session.commit()
        zebra.set_status(paused=True)  # a paused Zebra buffers the label until resumed
        queue_labels(app, printer_id, 1, clock)

        drain(app, printer_id, clock)

        assert zebra.wait_for_jobs(1) == [label(0)]
        assert zebra.queries == 0


def test_retry_now_sends_jobs_waiting_on_a_fixed_printer_without_waiting_out_the_back_off(
    app: Flask, zebra: ZebraListener, clock: Clock
) -> None:
    printer_id = add_printer(app, zebra)
    zebra.stop()
    queue_labels(app, printer_id, 2, clock)
    drain(app, printer_id, clock)  # offline: the first job waits 2 s, the second behind it
    zebra.restart()
    still_waiting = drain(app, printer_id, clock)

    with app.app_context():
        printer = db.session.get(Printer, printer_id)
        assert printer is not None
        made_due = retry_now(db.session, printer, now=clock())
        db.session.commit()
    sent = drain(app, printer_id, clock)

    assert still_waiting.printed == 0 and made_due == 1
    assert sent.printed == 2 and zebra.wait_for_jobs(2) == [label(0), label(1)]


def test_a_printer_saved_on_a_port_no_printer_uses_is_refused_when_sending(app: Flask) -> None:
    with app.app_context():
        printer = Printer(
            name="Saved before the limits",
            spec={"format": "zpl", "transport": "tcp9100", "host": "127.0.0.1", "port": 22},
        )

        with pytest.raises(PrinterRejected, match="Port 22 is not a printing port"):
            transport_for(printer)
