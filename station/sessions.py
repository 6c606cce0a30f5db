"""Sign-in sessions on the server: open one, find its user, keep it alive, end it.

Each sign-in is a ``SignInSession`` row found by the SHA-256 of a random token that only
the browser's cookie holds: ending a session deletes its row, and ending every session of
a user deletes all of theirs. A session also ends after an idle limit (a whole shift by
default); the web layer keeps the exact time of the last request in the cookie and calls
:func:`end_idle_session` once it is too old. The row's own ``seen_at`` is refreshed only
now and then (:data:`SEEN_REFRESH`) and serves to forget rows whose cookies have expired.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from station.models import SignInSession, User
from station.uow import UnitOfWork

IDLE_LIMIT = timedelta(minutes=720)  # SESSION_IDLE_MINUTES when the configuration says nothing
# The cookie outlives the idle limit so that a stale session still reaches the server and
# is told why it ended; the idle limit itself is kept exactly in the cookie.
COOKIE_GRACE = timedelta(days=1)
# How stale a row's seen_at may get before a request refreshes it: a write now and then,
# not on every scan. Only purging reads it.
SEEN_REFRESH = timedelta(minutes=10)


def open_session(session: Session, user: User, *, now: datetime, idle: timedelta) -> str:
    """Add a sign-in of ``user`` to the caller's unit; the token returned goes in the cookie.

    Rows of browsers that never came back (their cookies have expired) go on the way.
    """
    purge_sessions(session, seen_before=now - idle - COOKIE_GRACE - SEEN_REFRESH)
    token = secrets.token_urlsafe(32)
    session.add(
        SignInSession(user_id=user.id, token_hash=_token_hash(token), created_at=now, seen_at=now)
    )
    return token


def session_user(session: Session, user_id: int, token: str) -> tuple[User, SignInSession] | None:
    """The active user whose open sign-in ``token`` is, with that sign-in (one query)."""
    found = session.execute(
        select(User, SignInSession)
        .join(SignInSession, SignInSession.user_id == User.id)
        .where(
            User.id == user_id,
            User.active.is_(True),
            SignInSession.token_hash == _token_hash(token),
        )
    ).one_or_none()
    return None if found is None else (found[0], found[1])


def close_session(session: Session, token: str) -> None:
    """End the sign-in ``token`` belongs to (one browser), in the caller's unit."""
    session.execute(delete(SignInSession).where(SignInSession.token_hash == _token_hash(token)))


def close_every_session(session: Session, user: User) -> None:
    """End every sign-in of ``user`` (every browser, this one included), in the caller's unit."""
    session.execute(delete(SignInSession).where(SignInSession.user_id == user.id))


def purge_sessions(session: Session, *, seen_before: datetime) -> int:
    """Forget sign-ins not seen since ``seen_before`` (their cookies have expired)."""
    return session.execute(
        delete(SignInSession).where(SignInSession.seen_at < seen_before)
    ).rowcount


def keep_session_alive(actor: User | None, row: SignInSession, *, now: datetime) -> None:
    """Note that the sign-in ``row`` was used at ``now``, if it was last noted long enough ago.

    Bookkeeping for purging only, so it writes no audit entry (it would be one per user
    every few minutes).
    """
    if now - row.seen_at < SEEN_REFRESH:
        return
    with UnitOfWork(actor) as uow:
        row.seen_at = now
        uow.commit()


def end_idle_session(user: User, token: str, *, idle: timedelta, now: datetime) -> None:
    """End ``user``'s sign-in ``token`` after ``idle`` without a request, and audit it.

    Station ends it, not the person, so the entry has no actor.
    """
    with UnitOfWork(None) as uow:
        close_session(uow.session, token)
        minutes = int(idle.total_seconds() // 60)
        uow.record("user.signed_out_idle", target=user, detail={"idle_minutes": minutes}, at=now)
        uow.commit()


def _token_hash(token: str) -> str:
    # A random 256-bit token needs no slow hash; a stolen table holds nothing to replay.
    return hashlib.sha256(token.encode()).hexdigest()
