"""Creating users and checking passwords (argon2 through argon2-cffi)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.errors import StationError, problems_sentence
from station.models import Role, User

_hasher = PasswordHasher()


class AccountError(StationError):
    """A user could not be created or changed; the message says why."""


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
    if len(password) < 8:
        problems.append("the password needs at least 8 characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        problems.append(f"the username {username!r} is taken")
    if problems:
        raise AccountError(problems_sentence(problems))
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name,
    )
    session.add(user)
    return user


def set_password(user: User, password: str) -> None:
    """Replace a user's password."""
    if len(password) < 8:
        raise AccountError("The password needs at least 8 characters.")
    user.password_hash = hash_password(password)


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if user is None or not user.active:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return user
