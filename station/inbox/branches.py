"""Which branch ids Cin7 has, kept in Settings for an hour so intake spends few calls.

The list (names too, for pages) lives in :mod:`station.cin7.branch_cache`.

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

from station.cin7.branch_cache import cached_branches, remember_branches
from station.cin7.client import Cin7Client
from station.cin7.errors import Cin7Error
from station.cin7.wiring import Cin7Wiring
from station.settings import SettingsStore

log = logging.getLogger(__name__)

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
        cached = cached_branches(self._store)
        if branch_id in cached.ids:
            return True  # branches are seldom removed; submitting checks against Cin7 again
        fetched = cached.fetched_at
        fresh = fetched is not None and self._now - fetched < FRESH_FOR
        if self._asked:
            return False if fresh else None
        self._asked = True
        try:
            with self._connect() as client:
                branches = client.branches()
        except Cin7Error as exc:
            log.warning("could not list Cin7 branches to check branch %s: %s", branch_id, exc)
            return None
        remember_branches(self._store, branches, now=self._now)
        return any(branch.id == branch_id for branch in branches)
