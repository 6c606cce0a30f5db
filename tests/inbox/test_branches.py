"""Checking branch ids against Cin7: cached for an hour, asked once, "cannot tell" when down."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from station.cin7.client import Cin7Client
from station.cin7.errors import Cin7NotConfigured
from station.cin7.sandbox import SandboxServer, SandboxState
from station.inbox.branches import BranchCheck
from station.settings import SettingsStore
from tests.dispatch.conftest import connect

NOW = datetime(2026, 5, 1, 3, 0, tzinfo=UTC)


def branch_calls(state: SandboxState) -> int:
    return sum(1 for r in state.requests if r.path.endswith("/v1/Branches"))


def check(session: Session, client: Cin7Client, now: datetime = NOW) -> BranchCheck:
    return BranchCheck(SettingsStore(session), lambda: nullcontext(client), now=now)


def test_known_and_unknown_branches_cost_one_call_per_hour(
    ctx: Session, sandbox: SandboxServer
) -> None:
    with connect(sandbox) as client:
        first = check(ctx, client)
        answers = [first(2), first(9), first(9)]
        later = check(ctx, client, NOW + timedelta(minutes=30))
        cached = [later(1), later(3)]

    assert answers == [True, False, False] and cached == [True, True]
    assert branch_calls(sandbox.state) == 1


def test_an_id_missing_from_the_cache_asks_cin7_again(ctx: Session, sandbox: SandboxServer) -> None:
    with connect(sandbox) as client:
        check(ctx, client)(1)
        sandbox.state.branches.append({"id": 4, "company": "Hamilton", "isActive": True})

        assert check(ctx, client, NOW + timedelta(minutes=5))(4) is True

    assert branch_calls(sandbox.state) == 2


def test_when_cin7_cannot_be_asked_the_answer_is_cannot_tell(
    ctx: Session, sandbox: SandboxServer
) -> None:
    sandbox.state.faults.fail_next(503, count=5)
    with connect(sandbox) as client:
        down = check(ctx, client)

        assert down(1) is None and down(9) is None

    def not_connected() -> Cin7Client:
        raise Cin7NotConfigured("Cin7 is not connected yet")

    assert BranchCheck(SettingsStore(ctx), not_connected, now=NOW)(1) is None
