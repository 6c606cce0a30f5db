"""Runtime settings kept in the database: plain values and encrypted secrets."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, scoped_session
from sqlalchemy.orm.util import identity_key

from station import audit
from station.models import Setting
from station.secretbox import SecretBox, SecretUnreadable, load_keys

SHIPPING_SETTINGS = audit.Target("settings", None, "Shipping")  # what Settings → Shipping saves


_LOADED = "station.settings.loaded"  # session.info: (transaction, {key: row}) read at once


class SettingsStore:
    """Reads and writes :class:`Setting` rows; secrets go through a :class:`SecretBox`.

    Plain values need no box, so code without an app (a carrier built in a worker thread)
    can read them; a store without a box raises ``RuntimeError`` on any secret.

    The first read in a transaction loads every setting in one query and keeps them for
    the rest of that transaction (every store on the same session shares them): the bench
    reads half a dozen settings per scan and per Enter, most of them never saved, and each
    was a query of its own. The next transaction reads them afresh, as before.
    """

    def __init__(self, session: Session, box: SecretBox | None = None) -> None:
        self._session = session
        self._box = box

    @property
    def session(self) -> Session:
        """The session this store reads and writes through."""
        return self._session

    def get(self, key: str, default: Any = None) -> Any:
        """The stored value for ``key``, or ``default``."""
        row = self._row(key)
        return default if row is None or row.value is None else row.value

    def set(self, key: str, value: Any) -> None:
        """Store a plain (JSON-serialisable) value."""
        row = self._row(key) or self._new_row(key)
        row.value = value
        self._session.add(row)

    def get_secret(self, key: str) -> str | None:
        """The decrypted secret for ``key``, or None when none is stored."""
        row = self._row(key)
        return None if row is None or row.secret is None else self._secrets().open(row.secret)

    def set_secret(self, key: str, plaintext: str | None) -> None:
        """Store (or, with None, forget) a secret, encrypted."""
        row = self._row(key) or self._new_row(key)
        row.secret = None if plaintext is None else self._secrets().seal(plaintext)
        self._session.add(row)

    def lock(self, *keys: str) -> None:
        """Hold ``keys`` until this transaction ends; call it before reading them.

        For a change made from what is stored (add a carrier to the list): another
        transaction locking the same keys waits here until this one commits or rolls back,
        then reads what it left, so neither change is lost. A key with no row yet gets an
        empty one to lock. On PostgreSQL the rows are locked (READ COMMITTED: reads after
        the lock see the last commit); on SQLite the first write takes the database's write
        lock, which its reads then see past.
        """
        session = self._session
        for key in sorted(set(keys)):  # one order for every caller: no deadlock between two
            if session.get(Setting, key) is None:
                try:
                    with session.begin_nested():
                        session.add(Setting(key=key))
                except IntegrityError:  # another transaction made it first: lock that one
                    pass
            session.execute(
                update(Setting)
                .where(Setting.key == key)
                .values(updated_at=Setting.updated_at)  # changes nothing, takes the row lock
                .execution_options(synchronize_session=False)
            )
        for row in session.identity_map.values():
            if isinstance(row, Setting) and row.key in keys:
                session.expire(row)  # read again, past the lock
        session.info.pop(_LOADED, None)

    def _row(self, key: str) -> Setting | None:
        """``key``'s row from the settings this transaction loaded (loading them first)."""
        rows = self._loaded()
        row = rows.get(key)
        if row is not None and row in self._session:  # not made in a savepoint rolled back
            return row
        # Added since the load by code that writes rows itself (the sync's cursor): no query.
        known = self._session.identity_map.get(identity_key(Setting, key))
        pending = (row for row in self._session.new if isinstance(row, Setting) and row.key == key)
        return known if isinstance(known, Setting) else next(pending, None)

    def _new_row(self, key: str) -> Setting:
        row = Setting(key=key)
        self._loaded()[key] = row
        return row

    def _loaded(self) -> dict[str, Setting]:
        session = self._session() if isinstance(self._session, scoped_session) else self._session
        transaction = session.get_transaction()
        cached = session.info.get(_LOADED)
        if transaction is not None and cached is not None and cached[0] is transaction:
            rows: dict[str, Setting] = cached[1]
            return rows
        rows = {row.key: row for row in session.scalars(select(Setting))}
        session.info[_LOADED] = (session.get_transaction(), rows)
        return rows

    def _secrets(self) -> SecretBox:
        if self._box is None:
            raise RuntimeError("this settings store was made without the key for secrets")
        return self._box

    def has_secret(self, key: str) -> bool:
        """True when a secret is stored under ``key`` (without decrypting it)."""
        row = self._row(key)
        return row is not None and row.secret is not None


@dataclass(frozen=True, slots=True)
class Rotation:
    """What ``rotate_secrets`` did: the setting keys re-encrypted, and those no key opens."""

    resealed: tuple[str, ...]
    unreadable: tuple[str, ...]


def rotate_secrets(session: Session, box: SecretBox) -> Rotation:
    """Encrypt every stored secret again with the box's first key, and audit it (flushes,
    does not commit). The secrets' rows are held until the caller commits.

    A secret none of the keys opens is left as it is and named in ``unreadable``: a
    person enters it again in Settings.
    """
    resealed: list[str] = []
    unreadable: list[str] = []
    # Held while re-encrypting: a carrier saved meanwhile (a list kept as one secret) would
    # otherwise be written over with the list read before it.
    keys = session.scalars(select(Setting.key).where(Setting.secret.is_not(None))).all()
    SettingsStore(session, box).lock(*keys)
    rows = session.scalars(select(Setting).where(Setting.secret.is_not(None)).order_by(Setting.key))
    for row in rows:
        try:
            row.secret = box.reseal(row.secret or "")
        except SecretUnreadable:
            unreadable.append(row.key)
        else:
            resealed.append(row.key)
    audit.record(
        session,
        None,
        "settings.keys.rotated",
        target=audit.Target("settings", None, "Encryption key"),
        detail={"re_encrypted": resealed, "unreadable": unreadable},
    )
    session.flush()
    return Rotation(tuple(resealed), tuple(unreadable))


def init_app(app: Flask) -> None:
    """Load the keys for secrets at rest (FERNET_KEY, newest first, else instance/fernet.key)."""
    keys = load_keys(app.config.get("FERNET_KEY"), Path(app.instance_path))
    app.extensions["station.secretbox"] = SecretBox(keys)


def secret_box() -> SecretBox:
    """The current app's box for secrets at rest."""
    return current_app.extensions["station.secretbox"]


def settings_store(session: Session) -> SettingsStore:
    """A settings store bound to ``session`` and the current app's key."""
    return SettingsStore(session, secret_box())
