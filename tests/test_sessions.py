"""Sign-in sessions on the server: kept alive now and then, ended when idle (and audited)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.accounts import create_user
from station.extensions import db
from station.models import AuditEvent, Role, SignInSession, User
from station.sessions import (
    SEEN_REFRESH,
    end_idle_session,
    keep_session_alive,
    open_session,
    session_user,
)

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
IDLE = timedelta(minutes=30)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session


@pytest.fixture
def token(session: Session) -> str:
    user = create_user(session, "pita", "correct horse", role=Role.PACKER)
    session.flush()
    token = open_session(session, user, now=T0, idle=IDLE)
    session.commit()
    return token


def the_row(session: Session) -> SignInSession:
    return session.scalars(select(SignInSession)).one()


def test_a_session_is_noted_as_seen_only_once_its_last_note_is_old_enough(
    session: Session, token: str
) -> None:
    keep_session_alive(None, the_row(session), now=T0 + SEEN_REFRESH - timedelta(seconds=1))
    session.rollback()
    assert the_row(session).seen_at == T0

    keep_session_alive(None, the_row(session), now=T0 + SEEN_REFRESH)
    session.rollback()  # the note is committed, not left to the caller
    assert the_row(session).seen_at == T0 + SEEN_REFRESH


def test_an_idle_session_ends_and_station_records_why(session: Session, token: str) -> None:
    user = session.scalars(select(User)).one()
    at = T0 + timedelta(minutes=31)

    end_idle_session(user, token, idle=IDLE, now=at)
    session.rollback()

    assert session_user(session, user.id, token) is None
    event = session.scalars(select(AuditEvent)).one()
    assert (event.actor_id, event.action, event.target_label, event.detail, event.at) == (
        None,
        "user.signed_out_idle",
        "pita",
        {"idle_minutes": 30},
        at,
    )
