"""Runtime settings kept in the database: plain values and encrypted secrets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, current_app
from sqlalchemy.orm import Session

from station.models import Setting
from station.secretbox import SecretBox, load_key


class SettingsStore:
    """Reads and writes :class:`Setting` rows; secrets go through a :class:`SecretBox`.

    Plain values need no box, so code without an app (a carrier built in a worker thread)
    can read them; a store without a box raises ``RuntimeError`` on any secret.
    """

    def __init__(self, session: Session, box: SecretBox | None = None) -> None:
        self._session = session
        self._box = box

    def get(self, key: str, default: Any = None) -> Any:
        """The stored value for ``key``, or ``default``."""
        row = self._session.get(Setting, key)
        return default if row is None or row.value is None else row.value

    def set(self, key: str, value: Any) -> None:
        """Store a plain (JSON-serialisable) value."""
        row = self._session.get(Setting, key) or Setting(key=key)
        row.value = value
        self._session.add(row)

    def get_secret(self, key: str) -> str | None:
        """The decrypted secret for ``key``, or None when none is stored."""
        row = self._session.get(Setting, key)
        return None if row is None or row.secret is None else self._secrets().open(row.secret)

    def set_secret(self, key: str, plaintext: str | None) -> None:
        """Store (or, with None, forget) a secret, encrypted."""
        row = self._session.get(Setting, key) or Setting(key=key)
        row.secret = None if plaintext is None else self._secrets().seal(plaintext)
        self._session.add(row)

    def _secrets(self) -> SecretBox:
        if self._box is None:
            raise RuntimeError("this settings store was made without the key for secrets")
        return self._box

    def has_secret(self, key: str) -> bool:
        """True when a secret is stored under ``key`` (without decrypting it)."""
        row = self._session.get(Setting, key)
        return row is not None and row.secret is not None


def init_app(app: Flask) -> None:
    """Load the key that encrypts secrets at rest (FERNET_KEY, else instance/fernet.key)."""
    key = load_key(app.config.get("FERNET_KEY"), Path(app.instance_path))
    app.extensions["station.secretbox"] = SecretBox(key)


def settings_store(session: Session) -> SettingsStore:
    """A settings store bound to ``session`` and the current app's key."""
    return SettingsStore(session, current_app.extensions["station.secretbox"])
