"""Signing in, with two brakes on guessing, both checked before the password (no hashing).

- **Lockout**: 5 failures for one username from one address in 15 minutes lock that
  username on that address; the lock ends by itself 15 minutes after the oldest of the
  failures that caused it, and a successful sign-in clears the username's failures
  from that address.
- **Progressive delay per account**: once one username has ``ACCOUNT_FREE_FAILURES``
  failures in 15 minutes from any addresses (an attack spread over many), each further
  attempt must wait 2 s after the latest failure, then 4, 8, ... up to
  ``ACCOUNT_MAX_DELAY``. An early attempt is refused with the seconds left (429), never
  held in a sleeping request, which would tie up a web worker; it is not counted.

The failures are rows (``FailedSignIn``), so every web process sees the same count on
SQLite and on PostgreSQL. Every outcome is audited, and committed before ``sign_in``
returns or raises; a success opens the user's session on the server in the same commit.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from station import audit
from station.accounts import authenticate
from station.errors import StationError
from station.models import FailedSignIn, User
from station.sessions import IDLE_LIMIT, close_session, open_session
from station.uow import UnitOfWork

log = logging.getLogger(__name__)

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
ACCOUNT_FREE_FAILURES = 10  # failures for one username, from anywhere, before any wait
ACCOUNT_FIRST_DELAY = timedelta(seconds=2)  # doubles with each further failure
ACCOUNT_MAX_DELAY = timedelta(minutes=5)


class SignInRefused(StationError):
    """Wrong username or password (deliberately not saying which)."""


class SignInThrottled(SignInRefused):
    """Too many recent failures: try again after ``retry_after`` seconds (HTTP 429)."""

    retry_after: int


class SignInLocked(SignInThrottled):
    """Too many recent failures for this username from this address."""

    def __init__(self, minutes: int) -> None:
        super().__init__(
            f"Too many sign-in attempts; try again in {minutes} minute{'s' if minutes != 1 else ''}."
        )
        self.minutes = minutes
        self.retry_after = minutes * 60


class SignInDelayed(SignInThrottled):
    """Too many recent failures for this username from anywhere: wait a little longer each time."""

    def __init__(self, seconds: int) -> None:
        super().__init__(
            "Too many failed sign-ins for this account; "
            f"try again in {seconds} second{'s' if seconds != 1 else ''}."
        )
        self.retry_after = seconds


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who signed in, and the token of their new session (for this browser's cookie only)."""

    user: User
    token: str = field(repr=False)


def sign_in(
    username: str, password: str, *, address: str, now: datetime, idle: timedelta = IDLE_LIMIT
) -> SignedIn:
    """Open a session for the user these credentials belong to; raises SignInRefused.

    Checks the lockout and the delay before the password. Every outcome is committed with
    its audit entry (a failure row too, so failures count) before this returns or raises.
    """
    name = username.strip().lower()[:64]
    address = address[:64]
    with UnitOfWork(None) as uow:
        outcome = _attempt(uow, name, password, address, now)
        token = ""
        if isinstance(outcome, User):
            token = open_session(uow.session, outcome, now=now, idle=idle)
        uow.commit()
    if isinstance(outcome, SignInRefused):
        raise outcome  # only now, so that the unit commits the refusal instead of rolling back
    return SignedIn(outcome, token)


def _attempt(
    uow: UnitOfWork, name: str, password: str, address: str, now: datetime
) -> User | SignInRefused:
    """The user signing in, or why not, with the outcome recorded in ``uow``."""
    session = uow.session
    locked_for = _locked_for(session, name, address, now)
    if locked_for is not None:
        log.warning(
            "sign-in refused for %r from %s: locked for %s more minutes", name, address, locked_for
        )
        _record_refusal(uow, "signin.locked", name, address, now)
        return SignInLocked(locked_for)
    wait = _account_wait(session, name, now)
    if wait is not None:
        log.warning("sign-in refused for %r from %s: %s seconds to wait", name, address, wait)
        _record_refusal(uow, "signin.delayed", name, address, now)
        return SignInDelayed(wait)
    user = authenticate(session, name, password)
    if user is None:
        session.add(FailedSignIn(username=name, address=address, at=now))
        session.execute(delete(FailedSignIn).where(FailedSignIn.at <= now - WINDOW))
        log.info("failed sign-in for %r from %s", name, address)
        _record_refusal(uow, "signin.failed", name, address, now)
        locked_for = _locked_for(session, name, address, now)
        if locked_for is not None:
            log.warning(
                "sign-in for %r from %s locked after %s failures", name, address, MAX_FAILURES
            )
            return SignInLocked(locked_for)
        return SignInRefused("Wrong username or password.")
    session.execute(
        delete(FailedSignIn).where(FailedSignIn.username == name, FailedSignIn.address == address)
    )
    user.last_login_at = now
    log.info("user %s signed in from %s", user.username, address)
    uow.record("signin.succeeded", detail={"address": address}, at=now, actor=user)
    return user


def _record_refusal(
    uow: UnitOfWork, action: str, username: str, address: str, now: datetime
) -> None:
    """Audit a refused sign-in against the username typed (no one is signed in to act)."""
    target = audit.Target("user", None, username)
    uow.record(action, target=target, detail={"address": address}, at=now)


def _account_wait(session: Session, username: str, now: datetime) -> int | None:
    """Whole seconds this username must still wait, whatever the address, or None."""
    count, latest = session.execute(
        select(func.count(), func.max(FailedSignIn.at)).where(
            FailedSignIn.username == username, FailedSignIn.at > now - WINDOW
        )
    ).one()
    if count < ACCOUNT_FREE_FAILURES or latest is None:
        return None
    delay = min(ACCOUNT_FIRST_DELAY * 2 ** (count - ACCOUNT_FREE_FAILURES), ACCOUNT_MAX_DELAY)
    left = math.ceil((latest + delay - now).total_seconds())
    return left if left > 0 else None


def _locked_for(session: Session, username: str, address: str, now: datetime) -> int | None:
    """Whole minutes until this username may try again from this address, or None."""
    recent = select(FailedSignIn.at).where(
        FailedSignIn.username == username,
        FailedSignIn.address == address,
        FailedSignIn.at > now - WINDOW,
    )
    count = session.scalar(select(func.count()).select_from(recent.subquery())) or 0
    if count < MAX_FAILURES:
        return None
    # The lock lifts when enough of the failures have aged out of the window.
    oldest_counted = session.scalar(
        recent.order_by(FailedSignIn.at.desc()).offset(MAX_FAILURES - 1).limit(1)
    )
    assert oldest_counted is not None
    return max(1, math.ceil((oldest_counted + WINDOW - now).total_seconds() / 60))


def sign_out(user: User, token: str, *, address: str, now: datetime) -> None:
    """The user ends their sign-in ``token`` (one browser); their other browsers go on."""
    with UnitOfWork(user) as uow:
        close_session(uow.session, token)
        uow.record("user.signed_out", target=user, detail={"address": address[:64]}, at=now)
        uow.commit()
    log.info("user %s signed out from %s", user.username, address[:64])
