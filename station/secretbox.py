"""Encrypting secrets at rest (Cin7 API key, carrier keys) with Fernet."""

from __future__ import annotations

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
    path = instance_path / "fernet.key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_bytes(Fernet.generate_key())
        path.chmod(0o600)
    return path.read_bytes().strip()
