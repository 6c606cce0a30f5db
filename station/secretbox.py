"""Encrypting secrets at rest (Cin7 API key, carrier keys) with Fernet."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from station.errors import StationError


class SecretUnreadable(StationError):
    """A stored secret cannot be decrypted with the current key."""


class SecretBox:
    """Encrypts and decrypts short secrets with one Fernet key."""

    def __init__(self, key: bytes) -> None:
        self._fernet = Fernet(key)

    def seal(self, plaintext: str) -> str:
        """The encrypted token for ``plaintext``."""
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, token: str) -> str:
        """The plaintext of a token made by :meth:`seal`."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise SecretUnreadable(
                "A stored secret cannot be read with this encryption key; enter it again in Settings."
            ) from exc


def load_key(configured: str | None, instance_path: Path) -> bytes:
    """The Fernet key from config, else from ``instance/fernet.key`` (created on first use)."""
    if configured:
        return configured.encode()
    return instance_secret(instance_path / "fernet.key", Fernet.generate_key)


def instance_secret(path: Path, generate: Callable[[], bytes]) -> bytes:
    """The secret in ``path``, created by ``generate`` on first use, readable by owner only.

    Several processes may start at once (gunicorn workers, a job worker): the file is
    written in full under a temporary name and hard-linked into place, which fails if
    another process got there first, so every process ends up with the same secret and
    none ever reads a half-written one.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as handle:  # mkstemp creates it 0600
                handle.write(generate())
                handle.flush()
                os.fsync(handle.fileno())
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
        finally:
            os.unlink(temporary)
    return path.read_bytes().strip()
