"""Cin7's branches as last listed, kept in Settings: ids for checking, names for reading.

Pages show a branch as "Name (id)" from this cache alone, never by asking Cin7 while they
render; a branch the cache has no name for is shown by its id. The cache is filled
after the first good order sync (one call, so a new install names its branches), and
whenever Station lists branches anyway: the inbox's branch check (at most once an hour)
and the "List Cin7 branches" buttons.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from station.cin7.client import Cin7Client
from station.cin7.mapping import format_cin7_datetime, parse_cin7_datetime
from station.cin7.types import Branch
from station.settings import SettingsStore

BRANCHES_KEY = "inbox.cin7_branch_ids"  # its first use named it; caches saved then still read
BRANCHES_ASKED_KEY = "cin7.branches_asked_after_sync"  # when the first sync listed them
ClientFactory = Callable[[], AbstractContextManager[Cin7Client]]


@dataclass(frozen=True, slots=True)
class CachedBranches:
    """The branches Cin7 listed last, and when (None: never listed)."""

    ids: frozenset[int]
    names: Mapping[int, str]
    fetched_at: datetime | None


def cached_branches(store: SettingsStore) -> CachedBranches:
    """What the cache holds (empty when Cin7's branches were never listed)."""
    saved = store.get(BRANCHES_KEY) or {}
    names = {
        int(key): str(name)
        for key, name in (saved.get("names") or {}).items()
        if str(key).isdigit() and name
    }
    fetched = saved.get("fetched_at")
    return CachedBranches(
        ids=frozenset(int(i) for i in saved.get("ids") or ()),
        names=names,
        fetched_at=parse_cin7_datetime(fetched) if fetched else None,
    )


def remember_branches(store: SettingsStore, branches: Iterable[Branch], *, now: datetime) -> None:
    """Keep the ids and names of ``branches`` as Cin7's list at ``now`` (the caller commits)."""
    listed = list(branches)
    store.set(
        BRANCHES_KEY,
        {
            "ids": sorted(branch.id for branch in listed),
            "names": {str(b.id): b.company for b in listed if b.company},
            "fetched_at": format_cin7_datetime(now),
        },
    )


def list_branches(store: SettingsStore, connect: ClientFactory, *, now: datetime) -> list[Branch]:
    """Cin7's branches (one call), active ones first, kept in the cache; commits.

    Raises the Cin7Error of a failed call; the cache is then left as it was.
    """
    store.session.commit()  # nothing may hold SQLite's write lock while Cin7 is asked
    with connect() as client:
        branches = sorted(client.branches(), key=lambda b: (not b.is_active, b.id))
    remember_branches(store, branches, now=now)
    store.session.commit()
    return branches


def branch_label(branch_id: int, names: Mapping[int, str]) -> str:
    """ "Name (id)" when the name is known, else the id alone."""
    name = names.get(branch_id)
    return f"{name} ({branch_id})" if name else str(branch_id)
