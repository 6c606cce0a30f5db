"""Which branch ids Cin7 has, kept in Settings for an hour so intake spends few calls.

An id the cached list lacks makes one fresh call (a branch added in Cin7 a minute ago is
found); when Cin7 cannot be asked, the answer is "cannot tell" and the order is taken,
to be checked again when it is submitted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client
from station.cin7.errors import Cin7Error
from station.cin7.mapping import format_cin7_datetime, parse_cin7_datetime
from station.cin7.wiring import Cin7Wiring
from station.settings import SettingsStore

log = logging.getLogger(__name__)

BRANCHES_KEY = "inbox.cin7_branch_ids"
FRESH_FOR = timedelta(hours=1)
ClientFactory = Callable[[], AbstractContextManager[Cin7Client]]


class BranchCheck:
    """Answers "does Cin7 have branch N?" from the cached list, asking Cin7 at most once."""

    def __init__(self, store: SettingsStore, connect: ClientFactory, *, now: datetime) -> None:
        self._store = store
        self._connect = connect
        self._now = now
        self._asked = False

    @classmethod
    def using(cls, wiring: Cin7Wiring, session: Session, *, now: datetime) -> BranchCheck:
        """A check on the app's Cin7 connection and settings."""
        return cls(wiring.settings(session), lambda: wiring.client(session), now=now)

    def __call__(self, branch_id: int) -> bool | None:
        """True or False, or None when Cin7 cannot be asked and the cache does not know it."""
        cached = self._store.get(BRANCHES_KEY) or {}
        if branch_id in (cached.get("ids") or ()):
            return True  # branches are seldom removed; submitting checks against Cin7 again
        fetched = cached.get("fetched_at")
        fresh = bool(fetched) and self._now - parse_cin7_datetime(fetched) < FRESH_FOR
        if self._asked:
            return False if fresh else None
        self._asked = True
        try:
            with self._connect() as client:
                ids = sorted(branch.id for branch in client.branches())
        except Cin7Error as exc:
            log.warning("could not list Cin7 branches to check branch %s: %s", branch_id, exc)
            return None
        self._store.set(BRANCHES_KEY, {"ids": ids, "fetched_at": format_cin7_datetime(self._now)})
        return branch_id in ids
