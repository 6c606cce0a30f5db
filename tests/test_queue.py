"""The shared retry queue on real rows (print jobs): claims, outcomes, recovery, retry-now."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.extensions import db
from station.models import JobState, Printer, PrintJob
from station.queue import RetryPolicy, claim, fail, recover, retry_failed, retry_later, succeed

NOW = datetime(2026, 12, 6, 9, 0, tzinfo=UTC)
POLICY = RetryPolicy(3, first=10.0, maximum=25.0, lease=timedelta(seconds=30))
CUT_OFF = "cut off"


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


def add_rows(session: Session, count: int, **values: object) -> list[int]:
    printer = session.scalar(select(Printer)) or Printer(
        name="Bench 1", spec={"format": "zpl", "transport": "memory"}
    )
    rows = [
        PrintJob(
            printer=printer,
            kind="test",
            format="zpl",
            payload=b"^XA^XZ",
            **{"state": JobState.QUEUED, "next_attempt_at": NOW, **values},
        )
        for _ in range(count)
    ]
    session.add_all(rows)
    session.commit()
    return [row.id for row in rows]


def row(session: Session, row_id: int) -> PrintJob:
    session.expire_all()
    found = session.get(PrintJob, row_id)
    assert found is not None
    return found


def naive(at: datetime) -> datetime:
    return at.replace(tzinfo=None)


@pytest.mark.both_databases
def test_a_claim_takes_a_due_row_once_and_counts_its_attempt(session: Session) -> None:
    ids = add_rows(session, 2)
    sending = add_rows(session, 1, state=JobState.SENDING)

    first = claim(session, PrintJob, [*ids, *sending], now=NOW + timedelta(seconds=5))
    again = claim(session, PrintJob, ids, now=NOW + timedelta(seconds=6))

    assert (first, again) == (ids, [])
    taken = row(session, ids[0])
    assert (taken.state, taken.attempts) == (JobState.SENDING, 1)
    assert naive(taken.next_attempt_at) == naive(NOW + timedelta(seconds=5))  # the claim's stamp
    assert row(session, sending[0]).attempts == 0


@pytest.mark.both_databases
def test_two_workers_claiming_at_once_never_both_take_a_row(app: Flask) -> None:
    with app.app_context():
        ids = add_rows(db.session, 20)
    start = threading.Barrier(2)
    taken: list[list[int]] = []

    def worker(order: list[int]) -> None:
        with app.app_context():
            start.wait()
            taken.append(claim(db.session, PrintJob, order, now=NOW))
            db.session.remove()

    # The second names the rows the other way round: the locks are still taken in one order.
    threads = [threading.Thread(target=worker, args=(o,)) for o in (ids, ids[::-1])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(taken[0] + taken[1]) == ids
    assert not set(taken[0]) & set(taken[1])
    for claimed in taken:  # each in the order it named them
        assert claimed in (sorted(claimed), sorted(claimed, reverse=True))


def test_a_success_is_done_and_forgets_the_last_error(session: Session) -> None:
    (row_id,) = add_rows(session, 1, state=JobState.SENDING, last_error="earlier")
    job = row(session, row_id)

    succeed(job, now=NOW)
    session.commit()

    done = row(session, row_id)
    assert (done.state, done.last_error, naive(done.done_at or NOW)) == (
        JobState.DONE,
        None,
        naive(NOW),
    )


def test_a_failure_no_retry_can_mend_fails_at_once(session: Session) -> None:
    (row_id,) = add_rows(session, 1, state=JobState.SENDING, attempts=1)

    fail(row(session, row_id), "x" * 5000)
    session.commit()

    failed = row(session, row_id)
    assert (failed.state, failed.attempts, len(failed.last_error or "")) == (
        JobState.FAILED,
        1,
        1000,
    )


def test_retries_back_off_doubling_up_to_the_maximum_then_fail(session: Session) -> None:
    (row_id,) = add_rows(session, 1)
    waits = []
    for attempt in range(3):
        claim(session, PrintJob, [row_id], now=NOW)
        waits.append(retry_later(row(session, row_id), f"down {attempt}", now=NOW, policy=POLICY))
        session.commit()
        job = row(session, row_id)
        if job.state == JobState.QUEUED:
            job.next_attempt_at = NOW
            session.commit()

    job = row(session, row_id)
    assert waits == [timedelta(seconds=10), timedelta(seconds=20), None]
    assert (job.state, job.attempts, job.last_error) == (JobState.FAILED, 3, "down 2")


def test_a_failure_that_says_nothing_of_the_row_gives_its_attempt_back(session: Session) -> None:
    (row_id,) = add_rows(session, 1)
    claim(session, PrintJob, [row_id], now=NOW)

    wait = retry_later(row(session, row_id), "429", now=NOW, policy=POLICY, spent=False)
    session.commit()

    job = row(session, row_id)
    assert (job.state, job.attempts, wait) == (JobState.QUEUED, 0, timedelta(seconds=10))
    assert naive(job.next_attempt_at) == naive(NOW + timedelta(seconds=10))


@pytest.mark.both_databases
def test_recovery_sends_cut_off_rows_again_and_fails_those_on_their_last_attempt(
    session: Session,
) -> None:
    lapsed = NOW - timedelta(seconds=31)
    (again,) = add_rows(session, 1, state=JobState.SENDING, attempts=1, next_attempt_at=lapsed)
    (spent,) = add_rows(session, 1, state=JobState.SENDING, attempts=3, next_attempt_at=lapsed)
    (alive,) = add_rows(session, 1, state=JobState.SENDING, attempts=3, next_attempt_at=NOW)

    counts = recover(session, PrintJob, now=NOW, policy=POLICY, note=CUT_OFF)

    assert counts == (1, 1)
    assert (row(session, again).state, row(session, again).last_error) == (
        JobState.QUEUED,
        CUT_OFF,
    )
    assert (row(session, spent).state, row(session, spent).last_error) == (
        JobState.FAILED,
        CUT_OFF,
    )
    assert row(session, alive).state == JobState.SENDING  # its worker still holds it


@pytest.mark.both_databases
def test_a_queue_that_cannot_resend_fails_every_cut_off_row(session: Session) -> None:
    lapsed = NOW - timedelta(minutes=5)
    ids = add_rows(session, 2, state=JobState.SENDING, attempts=1, next_attempt_at=lapsed)
    once = RetryPolicy(None, 1.0, 1.0, timedelta(seconds=30), resend_cut_off=False)

    counts = recover(
        session, PrintJob, now=NOW, policy=once, note=CUT_OFF, where=[PrintJob.id == ids[0]]
    )

    assert counts == (0, 1)
    assert [row(session, i).state for i in ids] == [JobState.FAILED, JobState.SENDING]


def test_retry_now_puts_back_only_a_failed_row_with_its_attempts_starting_over(
    session: Session,
) -> None:
    (failed,) = add_rows(session, 1, state=JobState.FAILED, attempts=3)
    (done,) = add_rows(session, 1, state=JobState.DONE, attempts=1)
    later = NOW + timedelta(hours=1)

    put_back = retry_failed(session, row(session, failed), now=later)
    session.commit()
    untouched = retry_failed(session, row(session, done), now=later)

    job = row(session, failed)
    assert (put_back, untouched) == (True, False)
    assert (job.state, job.attempts, naive(job.next_attempt_at)) == (
        JobState.QUEUED,
        0,
        naive(later),
    )
    assert row(session, done).state == JobState.DONE


@pytest.mark.both_databases
def test_a_queue_that_refunds_cut_offs_sends_every_cut_off_row_again_without_the_attempt(
    session: Session,
) -> None:
    """The outbox's way: a crash is not the row's failure, even on its last attempt."""
    lapsed = NOW - timedelta(seconds=31)
    (early,) = add_rows(session, 1, state=JobState.SENDING, attempts=1, next_attempt_at=lapsed)
    (last,) = add_rows(session, 1, state=JobState.SENDING, attempts=3, next_attempt_at=lapsed)
    refunding = replace(POLICY, refund_cut_off=True)

    counts = recover(session, PrintJob, now=NOW, policy=refunding, note=CUT_OFF)

    assert counts == (2, 0)
    assert [(row(session, i).state, row(session, i).attempts) for i in (early, last)] == [
        (JobState.QUEUED, 0),
        (JobState.QUEUED, 2),
    ]
