"""Entering and checking the Cin7 connection a manager types into Settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from station import audit
from station.cin7.address import base_url_problem, is_loopback
from station.cin7.client import Cin7Client
from station.cin7.errors import Cin7BadResponse, Cin7Error, Cin7NotFound, Cin7RequestRejected
from station.cin7.selection import OrderSelection, save_selection
from station.cin7.trigger import save_template
from station.cin7.wiring import API_KEY_KEY, BASE_URL_KEY, USERNAME_KEY
from station.errors import StationError, problems_sentence
from station.network import Resolver, system_resolve
from station.settings import SettingsStore
from station.uow import UnitOfWork

if TYPE_CHECKING:
    from station.models import User

__all__ = [
    "ConnectionInput",
    "ConnectionInvalid",
    "check_connection",
    "is_loopback",
    "save_cin7_settings",
    "save_connection",
]

CIN7_SETTINGS = audit.Target("settings", None, "Cin7")


class ConnectionInvalid(StationError):
    """The connection details cannot be saved; the message lists every problem."""


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    """What a "Test connection" found."""

    ok: bool
    message: str


@dataclass(frozen=True, slots=True)
class ConnectionInput:
    """The connection a manager typed (an empty ``api_key`` keeps the stored one)."""

    base_url: str
    username: str
    api_key: str | None


def save_cin7_settings(
    actor: User | None,
    store: SettingsStore,
    *,
    connection: ConnectionInput | None,
    selection: OrderSelection,
    trigger_template: str | None,
    allow_private: bool,
    resolve: Resolver = system_resolve,
) -> None:
    """Save Settings → Cin7 in one go, and audit it (whether the key changed, never the key).

    ``connection`` and ``trigger_template`` are None when the environment sets them (the
    environment wins). Raises ``ConnectionInvalid`` or ``TriggerTemplateInvalid`` and
    saves nothing when either is refused.
    """
    with UnitOfWork(actor, store.session) as uow:
        if connection is not None:
            save_connection(
                store,
                base_url=connection.base_url,
                username=connection.username,
                api_key=connection.api_key,
                allow_private=allow_private,
                resolve=resolve,
            )
        save_selection(store, selection)
        if trigger_template is not None:
            save_template(store, trigger_template, allow_private=allow_private, resolve=resolve)
        uow.record(
            "settings.cin7.saved",
            target=CIN7_SETTINGS,
            detail={"key_replaced": connection is not None and bool(connection.api_key)},
        )
        uow.commit()


def save_connection(
    store: SettingsStore,
    *,
    base_url: str,
    username: str,
    api_key: str | None,
    allow_private: bool = False,
    resolve: Resolver = system_resolve,
) -> None:
    """Store the connection.

    An empty ``api_key`` keeps the stored one only while the base URL and username stay
    the same: otherwise whoever can edit Settings could point the stored key at a server
    of their choosing and read it off the wire.
    """
    base_url = base_url.strip().rstrip("/")
    username = username.strip()
    problems = []
    problem = base_url_problem(base_url, allow_private=allow_private, resolve=resolve)
    if problem:
        problems.append(problem)
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


def check_connection(client: Cin7Client) -> ConnectionCheck:
    """Ask Cin7 for its branches (one call) and give a verdict.

    Never what the server said: with the base URL typed in Settings, the answer could
    be any service's, and this would show it to whoever typed it.
    """
    try:
        branches = client.branches()
    except (Cin7BadResponse, Cin7RequestRejected, Cin7NotFound):
        return ConnectionCheck(
            False,
            f"The server at {client.host} answered, but not as Cin7 does: check the base URL "
            "(Cin7's is https://api.cin7.com/api).",
        )
    except Cin7Error as exc:  # our own sentences: refused key, unreachable, rate limit
        return ConnectionCheck(False, str(exc))
    count = len(branches)
    return ConnectionCheck(True, f"Connected to Cin7: {count} branch{'' if count == 1 else 'es'}.")
