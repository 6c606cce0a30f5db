"""The declarative base every model shares, with constraint names Alembic can follow."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, MetaData, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every engine (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where UTC is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """Base class of Station's models."""

    registry = registry(
        metadata=MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def value_enum(enum_class: type[enum.Enum]) -> Enum:
    """A Python enum stored as its values (``"queued"``) in a short VARCHAR on every engine."""
    return Enum(
        enum_class,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


def utcnow() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return datetime.now(UTC)


LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE when a lock_timeout ran out
# PostgreSQL's SQLSTATEs for a table or column the schema does not have (yet).
UNDEFINED_TABLE, UNDEFINED_COLUMN = "42P01", "42703"
NO_SCHEMA = (
    "The database does not have Station's tables (or not the current ones): "
    "run `station db upgrade`, then try again."
)


def database_busy(exc: BaseException) -> bool:
    """Whether ``exc`` says the database stayed locked by another writer past the wait allowed."""
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE:
        return True
    return "database is locked" in str(exc.orig)  # SQLite, after its busy timeout


# SQLSTATE classes of a connection that failed or was refused: connection exceptions,
# bad credentials, the server shutting down or starting up; and a database that is missing.
_CANNOT_CONNECT = ("08", "28", "57P", "3D000")


def database_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` says Station could not reach its database: the server dropped the
    connection in use, or connecting failed (refused, timed out, turned away, its SQLite
    file cannot be opened). An error on a statement or at COMMIT (a full disk, a
    serialization failure) is not one."""
    if not isinstance(exc, OperationalError):
        return False
    if exc.connection_invalidated:
        return True
    if exc.statement is not None:
        return False  # the connection was there: the statement failed
    sqlite_error = getattr(exc.orig, "sqlite_errorname", None)
    if sqlite_error is not None:
        return bool(sqlite_error == "SQLITE_CANTOPEN")
    state = getattr(exc.orig, "sqlstate", None)
    return state is None or str(state).startswith(_CANNOT_CONNECT)


def schema_missing(exc: BaseException) -> bool:
    """Whether ``exc`` says a table or column is missing: the migrations have not been run."""
    if not isinstance(exc, DBAPIError):
        return False
    if getattr(exc.orig, "sqlstate", None) in (UNDEFINED_TABLE, UNDEFINED_COLUMN):
        return True
    text = str(exc.orig)
    return text.startswith(("no such table", "no such column"))  # SQLite


def render_migration_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    """Write UTCDateTime into migrations as a plain ``sa.DateTime(timezone=True)``."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
