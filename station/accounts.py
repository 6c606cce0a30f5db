"""Users: creating them, passwords (argon2 through argon2-cffi), roles, defaults, deactivation.

The commands (``add_user``, ``change_role``, ``reset_password``, ...) take the person
acting, open a unit of work, change the user, audit it and commit: a view calls one and
renders. ``create_user`` and ``set_password`` only change rows, for the CLI and tests that
commit themselves. A password reset, a password change and a deactivation end the user's
sign-in sessions (``station.sessions``) in the same transaction.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from argon2 import Parameters, PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from station.errors import StationError, problems_sentence
from station.models import Printer, Role, User
from station.sessions import IDLE_LIMIT, close_every_session, open_session
from station.uow import UnitOfWork

MIN_PASSWORD_LENGTH = 8

# OWASP's minimum argon2id profile (19 MiB, 2 passes, 1 lane), not argon2-cffi's default
# (RFC 9106's low-memory one, 64 MiB and 4 lanes): a hash's memory stays in each web
# worker's peak RSS after its first sign-in, and the default alone lifted every gunicorn
# worker by ~64 MB. Hashes made with the old profile still verify and are redone with this
# one at the user's next sign-in (``password_matches``).
OWASP_MINIMUM = Parameters(
    type=Type.ID,
    version=19,
    salt_len=16,
    hash_len=32,
    time_cost=2,
    memory_cost=19 * 1024,  # KiB
    parallelism=1,
)
_hasher = PasswordHasher.from_parameters(OWASP_MINIMUM)


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
    """Replace a user's password (the caller commits)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password needs at least {MIN_PASSWORD_LENGTH} characters.")
    user.password_hash = hash_password(password)


def add_user(
    actor: User | None,
    username: str,
    password: str,
    *,
    role: Role,
    display_name: str | None = None,
) -> User:
    """An admin adds a user who can sign in with ``password``; raises AccountError if refused."""
    with UnitOfWork(actor) as uow:
        user = create_user(uow.session, username, password, role=role, display_name=display_name)
        uow.record("user.created", target=user, detail={"role": user.role.value})
        uow.commit()
    return user


def change_role(actor: User, user: User, role: Role) -> None:
    """Give ``user`` another role; nobody lowers their own."""
    if user.id == actor.id and role.rank < user.role.rank:
        raise AccountError("You cannot lower your own role; ask another admin to do it.")
    with UnitOfWork(actor) as uow:
        before, user.role = user.role, role
        uow.record(
            "user.role_changed", target=user, detail={"from": before.value, "to": role.value}
        )
        uow.commit()


def save_user_defaults(
    actor: User | None,
    user: User,
    *,
    display_name: str | None,
    printer_id: int | None,
    bench: str | None,
) -> None:
    """An admin saves the name shown for ``user`` and the printer and bench they usually use."""
    with UnitOfWork(actor) as uow:
        _set_defaults(uow.session, user, display_name, printer_id, bench)
        uow.record("user.defaults.saved", target=user)
        uow.commit()


def save_own_defaults(
    user: User, *, display_name: str | None, printer_id: int | None, bench: str | None
) -> None:
    """The user saves their own name, usual printer and bench."""
    with UnitOfWork(user) as uow:
        _set_defaults(uow.session, user, display_name, printer_id, bench)
        uow.record("account.defaults.saved", target=user, detail=_defaults(user))
        uow.commit()


def reset_password(actor: User | None, user: User, password: str) -> None:
    """An admin sets a new password; the user's sessions everywhere end."""
    with UnitOfWork(actor) as uow:
        set_password(user, password)
        close_every_session(uow.session, user)
        uow.record("user.password_reset", target=user)
        uow.commit()


def change_own_password(
    user: User, current: str, new: str, *, now: datetime, idle: timedelta = IDLE_LIMIT
) -> str:
    """The user replaces their password, proving the current one; raises AccountError if refused.

    Every session of the user ends and a new one opens for the browser that asked: the
    token returned goes in its cookie.
    """
    with UnitOfWork(user) as uow:
        if not password_matches(user, current):
            raise AccountError("The current password is not right.")
        set_password(user, new)
        close_every_session(uow.session, user)
        uow.record("account.password.changed", target=user)
        token = open_session(uow.session, user, now=now, idle=idle)
        uow.commit()
    return token


def deactivate_user(actor: User, user: User) -> None:
    """Stop ``user`` signing in and end their sessions everywhere; nobody deactivates themself."""
    if user.id == actor.id:
        raise AccountError("You cannot deactivate yourself; ask another admin to do it.")
    with UnitOfWork(actor) as uow:
        if user.active:
            close_every_session(uow.session, user)
        user.active = False
        uow.record("user.deactivated", target=user)
        uow.commit()


def reactivate_user(actor: User | None, user: User) -> None:
    """Let ``user`` sign in again."""
    with UnitOfWork(actor) as uow:
        user.active = True
        uow.record("user.reactivated", target=user)
        uow.commit()


def sign_out_everywhere(user: User) -> None:
    """The user ends every session of theirs (on every browser, this one included)."""
    with UnitOfWork(user) as uow:
        close_every_session(uow.session, user)
        uow.record("user.signed_out_everywhere", target=user)
        uow.commit()


def _set_defaults(
    session: Session,
    user: User,
    display_name: str | None,
    printer_id: int | None,
    bench: str | None,
) -> None:
    user.display_name = (display_name or "").strip()[:128] or None
    user.default_printer = session.get(Printer, printer_id or 0)
    user.default_bench = (bench or "").strip()[:64] or None


def _defaults(user: User) -> dict[str, str | None]:
    """What an audit entry says about a user's defaults."""
    printer = user.default_printer
    return {
        "name": user.display_name,
        "printer": printer.name if printer else None,
        "bench": user.default_bench,
    }


def password_matches(user: User, password: str) -> bool:
    """True when ``password`` is the user's; redoes a hash made with other parameters."""
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
