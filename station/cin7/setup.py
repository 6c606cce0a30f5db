"""Entering and checking the Cin7 connection a manager types into Settings."""

from __future__ import annotations

from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

from station.cin7.client import Cin7Client
from station.cin7.errors import Cin7Error
from station.cin7.wiring import API_KEY_KEY, BASE_URL_KEY, USERNAME_KEY
from station.errors import StationError, problems_sentence
from station.settings import SettingsStore


class ConnectionInvalid(StationError):
    """The connection details cannot be saved; the message lists every problem."""


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    """What a "Test connection" found."""

    ok: bool
    message: str


def save_connection(
    store: SettingsStore, *, base_url: str, username: str, api_key: str | None
) -> None:
    """Store the connection.

    An empty ``api_key`` keeps the stored one only while the base URL and username stay
    the same: otherwise whoever can edit Settings could point the stored key at a server
    of their choosing and read it off the wire.
    """
    base_url = base_url.strip().rstrip("/")
    username = username.strip()
    problems = []
    parts = urlsplit(base_url)
    if not parts.netloc or not (
        parts.scheme == "https" or (parts.scheme == "http" and is_loopback(parts.hostname))
    ):
        problems.append(
            "the base URL must start with https:// (for example https://api.cin7.com/api)"
        )
    if base_url.lower().endswith("/v1"):
        problems.append("the base URL is the part before /v1/")
    if not username:
        problems.append("the API username is required")
    if not api_key:
        if not store.has_secret(API_KEY_KEY):
            problems.append("the API key is required")
        elif (base_url, username) != (store.get(BASE_URL_KEY), store.get(USERNAME_KEY)):
            problems.append(
                "type the API key again: the base URL or username changed, "
                "and the stored key is only kept for the same Cin7 account"
            )
    if problems:
        raise ConnectionInvalid(problems_sentence(problems))
    store.set(BASE_URL_KEY, base_url)
    store.set(USERNAME_KEY, username)
    if api_key:
        store.set_secret(API_KEY_KEY, api_key.strip())


def is_loopback(host: str | None) -> bool:
    """True for this machine (the only place plain http is allowed: the sandbox, a proxy)."""
    if host == "localhost":
        return True
    try:
        return ip_address(host or "").is_loopback
    except ValueError:
        return False


def check_connection(client: Cin7Client) -> ConnectionCheck:
    """Ask Cin7 for its branches (one call) and say what came back."""
    try:
        branches = client.branches()
    except Cin7Error as exc:
        return ConnectionCheck(False, str(exc))
    names = ", ".join(b.company or str(b.id) for b in branches[:5])
    return ConnectionCheck(True, f"Connected to Cin7: {len(branches)} branches ({names}).")
