"""Encrypting secrets at rest (Cin7 API key, carrier keys) with Fernet.

``FERNET_KEY`` may list several keys, comma-separated, newest first: the first encrypts,
every one decrypts. That is how a key is rotated: put the new key in front of the old
one on every process, run ``station rotate-secrets``, then drop the old key.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from station.errors import StationError


class SecretUnreadable(StationError):
    """A stored secret cannot be decrypted with the current key."""


class SecretBox:
    """Encrypts short secrets with the first of its Fernet keys; decrypts with any of them."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys:
            raise ValueError("a SecretBox needs at least one Fernet key")
        self._fernet = MultiFernet([_fernet(key, i, len(keys)) for i, key in enumerate(keys, 1)])

    def seal(self, plaintext: str) -> str:
        """The encrypted token for ``plaintext``."""
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, token: str) -> str:
        """The plaintext of a token made by :meth:`seal`."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise _unreadable() from exc

    def reseal(self, token: str) -> str:
        """The same secret encrypted again with the first key (for key rotation)."""
        try:
            return self._fernet.rotate(token.encode()).decode()
        except InvalidToken as exc:
            raise _unreadable() from exc


def _unreadable() -> SecretUnreadable:
    return SecretUnreadable(
        "A stored secret cannot be read with this encryption key; enter it again in Settings."
    )


def _fernet(key: bytes, position: int, count: int) -> Fernet:
    """One key of FERNET_KEY, with a message that says which one is wrong (never the key)."""
    try:
        return Fernet(key)
    except ValueError:  # binascii.Error is a ValueError too
        raise ValueError(
            f"FERNET_KEY: key {position} of {count} is not a Fernet key (32 url-safe "
            "base64-encoded bytes; make one with `python -c 'from cryptography.fernet import "
            "Fernet; print(Fernet.generate_key().decode())'`)"
        ) from None


def load_keys(configured: str | None, instance_path: Path) -> tuple[bytes, ...]:
    """The Fernet keys, encrypting key first: ``configured`` split at commas, else the key
    in ``instance/fernet.key`` (created on first use)."""
    keys = tuple(part.strip().encode() for part in (configured or "").split(",") if part.strip())
    return keys or (instance_secret(instance_path / "fernet.key", Fernet.generate_key),)


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
