"""People who sign in to Station and what they may do."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.db import Base, utcnow, value_enum
from station.roles import Role

if TYPE_CHECKING:
    from station.models.printing import Printer


class User(UserMixin, Base):
    """A Station login."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(value_enum(Role))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    default_printer_id: Mapped[int | None] = mapped_column(ForeignKey("printer.id"))
    default_bench: Mapped[str | None] = mapped_column(String(64))

    default_printer: Mapped[Printer | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login reads this
        return self.active


class SignInSession(Base):
    """One browser's sign-in: the cookie holds a random token, this row only its SHA-256.

    Signing out deletes the row, so a copy of the cookie opens nothing afterwards; signing
    out everywhere deletes all of the user's rows. ``seen_at`` is refreshed now and then
    (not on every request) so that rows of browsers that never came back can be purged.
    """

    __tablename__ = "sign_in_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    seen_at: Mapped[datetime] = mapped_column(index=True)


class FailedSignIn(Base):
    """A refused sign-in (wrong password or unknown user), kept while it counts to a lockout."""

    __tablename__ = "failed_sign_in"
    __table_args__ = (Index("ix_failed_sign_in_who", "username", "address", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64))  # as typed, lower-cased
    address: Mapped[str] = mapped_column(String(64))  # the client's IP address
    at: Mapped[datetime] = mapped_column(index=True)
