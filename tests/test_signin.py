"""Signing in: 5 failures per username and address in 15 minutes lock it for a while;
many failures for one account from anywhere make each further attempt wait longer."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.accounts import create_user
from station.extensions import db
from station.models import AuditEvent, FailedSignIn, Role
from station.sessions import session_user
from station.signin import (
    ACCOUNT_FREE_FAILURES,
    ACCOUNT_MAX_DELAY,
    WINDOW,
    SignInDelayed,
    SignInLocked,
    SignInRefused,
    sign_in,
    sign_out,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
HOME = "192.0.2.10"


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        create_user(db.session, "alice", "correct horse", role=Role.PACKER)
        db.session.commit()
        yield db.session


def fail(session: Session, times: int, *, at: datetime = T0, address: str = HOME) -> None:
    for _ in range(times):
        with pytest.raises(SignInRefused):
            sign_in("alice", "wrong", address=address, now=at)
        session.commit()


def test_the_right_password_signs_in_and_stamps_the_last_login(session: Session) -> None:
    user = sign_in("Alice ", "correct horse", address=HOME, now=T0).user

    assert user.username == "alice" and user.last_login_at == T0


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(
    session: Session,
) -> None:
    with pytest.raises(SignInRefused, match=r"^Wrong username or password\.$") as excinfo:
        sign_in("alice", "wrong", address=HOME, now=T0)

    assert not isinstance(excinfo.value, SignInLocked)


def test_the_fifth_failure_locks_even_the_right_password_out(session: Session) -> None:
    fail(session, 4)
    with pytest.raises(SignInLocked, match="try again in 15 minutes"):
        sign_in("alice", "wrong", address=HOME, now=T0)
    session.commit()

    with pytest.raises(SignInLocked, match="try again in 10 minutes"):
        sign_in("alice", "correct horse", address=HOME, now=T0 + timedelta(minutes=5))


def test_the_lock_lifts_when_the_failures_age_out(session: Session) -> None:
    fail(session, 5)

    with pytest.raises(SignInLocked, match="try again in 1 minute\\."):
        sign_in(
            "alice",
            "correct horse",
            address=HOME,
            now=T0 + timedelta(minutes=14, seconds=30),
        )
    user = sign_in("alice", "correct horse", address=HOME, now=T0 + timedelta(minutes=15)).user

    assert user.username == "alice"


def test_failures_spread_over_more_than_15_minutes_do_not_lock(session: Session) -> None:
    for minute in range(0, 50, 10):
        fail(session, 1, at=T0 + timedelta(minutes=minute))

    assert sign_in("alice", "correct horse", address=HOME, now=T0 + timedelta(minutes=41))


def test_a_success_clears_the_failures(session: Session) -> None:
    fail(session, 4)
    sign_in("alice", "correct horse", address=HOME, now=T0)
    session.commit()

    fail(session, 4)

    assert sign_in("alice", "correct horse", address=HOME, now=T0)


def test_the_lock_is_per_username_and_address(session: Session) -> None:
    create_user(session, "bob", "battery staple", role=Role.PACKER)
    fail(session, 5)

    assert sign_in("alice", "correct horse", address="198.51.100.7", now=T0)
    assert sign_in("bob", "battery staple", address=HOME, now=T0)


def test_a_locked_attempt_is_not_counted_again(session: Session) -> None:
    fail(session, 5)
    with pytest.raises(SignInLocked):
        sign_in("alice", "wrong", address=HOME, now=T0 + timedelta(minutes=10))
    session.commit()

    assert session.scalar(select(func.count()).select_from(FailedSignIn)) == 5


def test_every_outcome_is_audited_without_the_password(session: Session) -> None:
    fail(session, 5)
    with pytest.raises(SignInLocked):
        sign_in("alice", "correct horse", address=HOME, now=T0)
    session.commit()
    sign_in("alice", "correct horse", address=HOME, now=T0 + timedelta(minutes=15))
    session.commit()

    events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["signin.failed"] * 5 + [
        "signin.locked",
        "signin.succeeded",
    ]
    assert events[0].target_label == "alice" and events[0].detail == {"address": HOME}
    assert events[-1].actor_username == "alice"
    assert not any("correct horse" in str(e.detail) or "wrong" in str(e.detail) for e in events)


def test_an_inactive_user_cannot_sign_in(session: Session) -> None:
    user = sign_in("alice", "correct horse", address=HOME, now=T0).user
    user.active = False
    session.commit()

    with pytest.raises(SignInRefused):
        sign_in("alice", "correct horse", address=HOME, now=T0)


def many_addresses(count: int) -> list[str]:
    """Addresses of a spread-out attack (documentation ranges)."""
    return [f"198.51.100.{n}" for n in range(1, count + 1)]


def test_an_account_failing_from_many_addresses_must_wait_longer_each_time(
    session: Session,
) -> None:
    for address in many_addresses(ACCOUNT_FREE_FAILURES):
        fail(session, 1, address=address)

    with pytest.raises(SignInDelayed, match=r"try again in 2 seconds\.") as first:
        sign_in("alice", "correct horse", address="203.0.113.9", now=T0)
    fail(session, 1, at=T0 + timedelta(seconds=2), address="203.0.113.9")
    with pytest.raises(SignInDelayed, match=r"try again in 4 seconds\.") as second:
        sign_in("alice", "wrong", address="203.0.113.10", now=T0 + timedelta(seconds=2))
    session.commit()

    assert (first.value.retry_after, second.value.retry_after) == (2, 4)
    user = sign_in("alice", "correct horse", address=HOME, now=T0 + timedelta(seconds=6)).user
    assert user.username == "alice"


def test_the_wait_for_an_account_is_capped_and_ends_when_the_failures_age_out(
    session: Session,
) -> None:
    later = T0 + timedelta(minutes=1)
    session.add_all(  # forty failures in a minute, as if each waited its turn
        FailedSignIn(username="alice", address=address, at=T0 + timedelta(seconds=n))
        for n, address in enumerate(many_addresses(40))
    )
    session.commit()
    latest = T0 + timedelta(seconds=39)

    with pytest.raises(SignInDelayed) as capped:
        sign_in("alice", "correct horse", address=HOME, now=later)
    assert capped.value.retry_after == (latest + ACCOUNT_MAX_DELAY - later).total_seconds()
    assert sign_in("alice", "correct horse", address=HOME, now=latest + WINDOW)


def test_a_delayed_attempt_is_refused_before_the_password_and_not_counted(
    session: Session,
) -> None:
    for address in many_addresses(ACCOUNT_FREE_FAILURES):
        fail(session, 1, address=address)

    with pytest.raises(SignInDelayed):
        sign_in("alice", "wrong", address=HOME, now=T0)
    session.commit()

    assert session.scalar(select(func.count()).select_from(FailedSignIn)) == 10
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "signin.delayed")
        )
        == 1
    )


def test_failures_below_the_account_limit_cost_no_wait(session: Session) -> None:
    for address in many_addresses(ACCOUNT_FREE_FAILURES - 1):
        fail(session, 1, address=address)

    assert sign_in("alice", "correct horse", address=HOME, now=T0)


def test_a_refusal_is_kept_whatever_the_caller_does_next(session: Session) -> None:
    with pytest.raises(SignInRefused):
        sign_in("alice", "wrong", address=HOME, now=T0)
    session.rollback()

    assert session.scalar(select(func.count()).select_from(FailedSignIn)) == 1
    assert session.scalars(select(AuditEvent.action)).all() == ["signin.failed"]


def test_a_sign_in_opens_a_session_on_the_server_for_its_token(session: Session) -> None:
    signed_in = sign_in("alice", "correct horse", address=HOME, now=T0)
    session.rollback()

    found = session_user(session, signed_in.user.id, signed_in.token)
    assert found is not None and found[0].username == "alice"
    assert signed_in.token not in repr(signed_in)


def test_signing_out_ends_only_that_session_and_is_audited(session: Session) -> None:
    here = sign_in("alice", "correct horse", address=HOME, now=T0)
    there = sign_in("alice", "correct horse", address="198.51.100.7", now=T0)

    sign_out(here.user, here.token, address=HOME, now=T0 + timedelta(hours=1))

    assert session_user(session, here.user.id, here.token) is None
    assert session_user(session, there.user.id, there.token) is not None
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None
    assert (event.action, event.actor_username, event.detail) == (
        "user.signed_out",
        "alice",
        {"address": HOME},
    )
