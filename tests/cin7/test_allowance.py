"""Per-person allowances of Cin7-calling actions, kept on the database or in Redis."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete

from station.cin7.allowance import (
    Allowance,
    AllowanceSpent,
    AllowanceStore,
    Cin7Action,
    Cin7Allowances,
    RedisAllowanceStore,
    SqlAllowanceStore,
    allowances_from_config,
)
from station.db import Base
from station.models import Cin7AllowanceUse
from tests.fakes.clock import FakeClock
from tests.services import _redis


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "postgres", "redis"])
def store(
    request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path
) -> Iterator[AllowanceStore]:
    if request.param == "redis":
        client = _redis()
        prefix = f"station-test-{uuid.uuid4().hex[:8]}"
        yield RedisAllowanceStore(client, prefix=prefix, clock=clock)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        return
    url = (
        f"sqlite:///{tmp_path / 'allowance.db'}"
        if request.param == "sqlite"
        else request.getfixturevalue("postgres_url")
    )
    engine = create_engine(url)
    Base.metadata.tables["cin7_allowance_use"].create(engine, checkfirst=True)
    yield SqlAllowanceStore(engine, clock=clock)
    with engine.begin() as conn:  # PostgreSQL's database is the test run's, shared
        conn.execute(delete(Cin7AllowanceUse))
    engine.dispose()


def _allowances(store: AllowanceStore) -> Cin7Allowances:
    return Cin7Allowances(store, {Cin7Action.LOOKUP: Allowance(3, 10)})


def test_past_the_uses_a_person_is_told_when_to_try_again(
    store: AllowanceStore, clock: FakeClock
) -> None:
    allowances = _allowances(store)
    for _ in range(3):
        allowances.spend(7, Cin7Action.LOOKUP)
        clock.now += 60

    with pytest.raises(AllowanceSpent) as refused:
        allowances.spend(7, Cin7Action.LOOKUP)

    assert str(refused.value) == (
        "You have looked up 3 orders in Cin7 in the last 10 minutes; try again in 7 minutes."
    )
    assert refused.value.retry_after == pytest.approx(420)


def test_the_window_slides(store: AllowanceStore, clock: FakeClock) -> None:
    allowances = _allowances(store)
    for _ in range(3):
        allowances.spend(7, Cin7Action.LOOKUP)
        clock.now += 60
    with pytest.raises(AllowanceSpent):
        allowances.spend(7, Cin7Action.LOOKUP)

    clock.now += 7 * 60 + 1  # the first use is ten minutes old
    allowances.spend(7, Cin7Action.LOOKUP)
    with pytest.raises(AllowanceSpent, match="try again in 59 seconds\\."):
        allowances.spend(7, Cin7Action.LOOKUP)


def test_people_and_kinds_have_their_own_allowances(store: AllowanceStore) -> None:
    allowances = _allowances(store)
    for _ in range(3):
        allowances.spend(7, Cin7Action.LOOKUP)

    allowances.spend(8, Cin7Action.LOOKUP)
    allowances.spend(7, Cin7Action.CONNECTION)
    with pytest.raises(AllowanceSpent):
        allowances.spend(7, Cin7Action.LOOKUP)


def test_a_refused_action_takes_no_use(store: AllowanceStore, clock: FakeClock) -> None:
    allowances = _allowances(store)
    for _ in range(3):
        allowances.spend(7, Cin7Action.LOOKUP)
    for _ in range(50):
        with pytest.raises(AllowanceSpent):
            allowances.spend(7, Cin7Action.LOOKUP)

    clock.now += 600.5
    for _ in range(3):
        allowances.spend(7, Cin7Action.LOOKUP)


def test_allowances_come_from_the_settings() -> None:
    limits = allowances_from_config({"CIN7_LOOKUP_ALLOWANCE": "5/15", "CIN7_SYNC_ALLOWANCE": None})

    assert limits == {Cin7Action.LOOKUP: Allowance(5, 15)}


@pytest.mark.parametrize("value", ["20", "twenty/10", "0/10", "5/0", "5/2000", "-1/10"])
def test_a_bad_allowance_setting_is_named(value: str) -> None:
    with pytest.raises(ValueError, match="CIN7_SYNC_ALLOWANCE"):
        allowances_from_config({"CIN7_SYNC_ALLOWANCE": value})


def test_the_sync_allowance_speaks_of_the_hour(store: AllowanceStore) -> None:
    allowances = Cin7Allowances(store, {Cin7Action.SYNC: Allowance(1, 60)})
    allowances.spend(7, Cin7Action.SYNC)

    with pytest.raises(AllowanceSpent, match="started 1 Cin7 sync or check in the last hour"):
        allowances.spend(7, Cin7Action.SYNC)
