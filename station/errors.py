"""The root of Station's exceptions.

StationError
 ├── Cin7Error (station.cin7.errors) — talking to Cin7 failed; see that module's tree
 ├── SyncError (station.cin7.sync) — an order sync could not run
 ├── AccountError (station.accounts) — a user could not be created or changed
 ├── SignInRefused (station.signin) — wrong username or password
 │    └── SignInThrottled — too many recent failures: try again after ``retry_after`` s
 │         ├── SignInLocked — for this username from this address
 │         └── SignInDelayed — for this username from anywhere (a wait that grows)
 └── SecretUnreadable (station.secretbox) — a stored secret cannot be decrypted
"""

from __future__ import annotations

from collections.abc import Iterable


class StationError(Exception):
    """Something a person can act on went wrong; ``str()`` is the message for them."""


def problems_sentence(problems: Iterable[str]) -> str:
    """``["the name is required", "the port is not a number"]`` → one sentence for a person.

    Only the first letter is raised, so names such as "API" and "ZPL" keep their case.
    """
    text = "; ".join(problems)
    return f"{text[:1].upper()}{text[1:]}."
