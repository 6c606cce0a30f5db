"""Cin7's branches kept in Settings: ids and names, filled by listing, read without Cin7."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from station.cin7.branch_cache import (
    BRANCHES_KEY,
    branch_label,
    cached_branches,
    list_branches,
)
from station.cin7.client import Cin7Client
from station.cin7.errors import Cin7Error, Cin7NotConfigured
from station.cin7.sandbox import SandboxServer
from station.inbox.branches import BranchCheck
from station.settings import SettingsStore
from tests.dispatch.conftest import connect

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)


def branch_calls(sandbox: SandboxServer) -> int:
    return sum(1 for r in sandbox.state.requests if r.path.endswith("/v1/Branches"))


def test_listing_keeps_every_branchs_id_and_name(ctx: Session, sandbox: SandboxServer) -> None:
    store = SettingsStore(ctx)
    with connect(sandbox) as client:
        listed = list_branches(store, lambda: nullcontext(client), now=NOW)

    cached = cached_branches(SettingsStore(ctx))
    assert [b.id for b in listed] == [1, 2, 3]
    assert cached.ids == {1, 2, 3} and cached.fetched_at == NOW
    assert cached.names == {1: "Auckland Warehouse", 2: "Christchurch Store", 3: "Sydney 3PL"}
    assert branch_calls(sandbox) == 1


def test_the_intake_check_keeps_names_too(ctx: Session, sandbox: SandboxServer) -> None:
    store = SettingsStore(ctx)
    with connect(sandbox) as client:
        assert BranchCheck(store, lambda: nullcontext(client), now=NOW)(2) is True

    assert cached_branches(store).names[2] == "Christchurch Store"


def test_a_failed_listing_leaves_the_cache_as_it_was(ctx: Session, sandbox: SandboxServer) -> None:
    store = SettingsStore(ctx)
    with connect(sandbox) as client:
        list_branches(store, lambda: nullcontext(client), now=NOW)
        sandbox.state.branches[0]["company"] = "Renamed"
        sandbox.state.faults.fail_next(503, count=5)
        with pytest.raises(Cin7Error):
            list_branches(store, lambda: nullcontext(client), now=NOW + timedelta(hours=2))

    cached = cached_branches(store)
    assert cached.names[1] == "Auckland Warehouse" and cached.fetched_at == NOW


def not_connected() -> AbstractContextManager[Cin7Client]:
    raise Cin7NotConfigured("Cin7 is not connected yet")


def test_a_cache_saved_before_names_were_kept_still_reads(ctx: Session) -> None:
    store = SettingsStore(ctx)
    store.set(BRANCHES_KEY, {"ids": [1, 2], "fetched_at": "2026-12-06T04:00:00Z"})

    cached = cached_branches(store)

    assert cached.ids == {1, 2} and cached.names == {}
    assert BranchCheck(store, not_connected, now=NOW)(2) is True  # Cin7 was not asked


def test_a_branch_reads_as_its_name_and_id_or_its_id_alone() -> None:
    names = {1: "Auckland Warehouse"}
    assert branch_label(1, names) == "Auckland Warehouse (1)"
    assert branch_label(7, names) == "7"
