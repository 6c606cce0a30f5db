"""Users: creating them, passwords (argon2 through argon2-cffi), roles and their sessions.

Each sign-in is a ``SignInSession`` row found by the SHA-256 of a random token that only
the browser's cookie holds: ending a session deletes its row, and signing out everywhere
deletes all of the user's rows. Services here change rows and never commit; the caller
commits with its audit record.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, object_session

from station.errors import StationError, problems_sentence
from station.models import Printer, Role, SignInSession, User

MIN_PASSWORD_LENGTH = 8

# argon2-cffi's defaults: RFC 9106's low-memory profile (64 MiB, 3 passes, 4 lanes).
_hasher = PasswordHasher()


class AccountError(StationError):
    """A user could not be created or changed; the message says why."""


def password_hasher() -> PasswordHasher:
    """The hasher new passwords are hashed with."""
    return _hasher


def use_password_hasher(hasher: PasswordHasher) -> None:
    """Hash new passwords with ``hasher`` (tests use argon2's cheapest profile).

    Hashes made with other parameters still verify, and are redone on the next sign-in.
    """
    global _hasher
    _hasher = hasher


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher.hash(password)


def create_user(
    session: Session, username: str, password: str, *, role: Role, display_name: str | None = None
) -> User:
    """Add a user; refuses duplicates and passwords shorter than 8 characters."""
    username = username.strip().lower()
    problems = []
    if not username:
        problems.append("a username is required")
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        problems.append(f"the username {username!r} is taken")
    if problems:
        raise AccountError(problems_sentence(problems))
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=(display_name or "").strip() or None,
    )
    session.add(user)
    return user


def list_users(session: Session) -> list[User]:
    """Every user, active ones first, by username."""
    return list(session.scalars(select(User).order_by(User.active.desc(), User.username)))


def set_password(user: User, password: str) -> None:
    """Replace a user's password."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    user.password_hash = hash_password(password)


def reset_password(user: User, password: str) -> None:
    """An admin sets a new password; the user's sessions everywhere end."""
    set_password(user, password)
    sign_out_everywhere(user)


def change_own_password(user: User, current: str, new: str) -> None:
    """The user replaces their password, proving the current one; other sessions end."""
    if not password_matches(user, current):
        raise AccountError("The current password is not right.")
    set_password(user, new)
    sign_out_everywhere(user)


def change_role(user: User, role: Role, *, by: User) -> None:
    """Give ``user`` another role; nobody lowers their own."""
    if user.id == by.id and role.rank < user.role.rank:
        raise AccountError("You cannot lower your own role; ask another admin to do it.")
    user.role = role


def set_active(user: User, active: bool, *, by: User) -> None:
    """Deactivate (signed out everywhere, cannot sign in) or reactivate a user."""
    if user.id == by.id and not active:
        raise AccountError("You cannot deactivate yourself; ask another admin to do it.")
    if user.active and not active:
        sign_out_everywhere(user)
    user.active = active


def set_defaults(
    user: User,
    *,
    display_name: str | None,
    printer: Printer | None,
    bench: str | None,
) -> None:
    """Save the name shown for the user and the printer and bench they usually work at."""
    user.display_name = (display_name or "").strip()[:128] or None
    user.default_printer = printer
    user.default_bench = (bench or "").strip()[:64] or None


def open_session(session: Session, user: User, *, now: datetime) -> str:
    """Record a new sign-in of ``user``; the token returned goes in that browser's cookie."""
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
    """End the sign-in ``token`` belongs to (signing out of one browser)."""
    session.execute(delete(SignInSession).where(SignInSession.token_hash == _token_hash(token)))


def purge_sessions(session: Session, *, seen_before: datetime) -> int:
    """Forget sign-ins not seen since ``seen_before`` (their cookies have expired)."""
    return session.execute(
        delete(SignInSession).where(SignInSession.seen_at < seen_before)
    ).rowcount


def sign_out_everywhere(user: User) -> None:
    """End every session of ``user`` (on every browser, this one included)."""
    session = object_session(user)
    assert session is not None, "the user is loaded from the database"
    session.execute(delete(SignInSession).where(SignInSession.user_id == user.id))


def _token_hash(token: str) -> str:
    # A random 256-bit token needs no slow hash; a stolen table holds nothing to replay.
    return hashlib.sha256(token.encode()).hexdigest()


def password_matches(user: User, password: str) -> bool:
    """True when ``password`` is the user's; upgrades an outdated hash on the way."""
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return True


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    return user if password_matches(user, password) else None
