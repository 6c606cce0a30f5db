"""The order-sync lock on SQLite and PostgreSQL: one holder at a time, gone with its process."""

from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy import create_engine

from station.cin7.synclock import sync_lock
from tests.waiting import wait_until

pytestmark = pytest.mark.both_databases

HOLD_IN_CHILD = """
import sys
from sqlalchemy import create_engine
from station.cin7.synclock import sync_lock
with sync_lock(create_engine(sys.argv[1])) as held:
    print("held" if held else "refused", flush=True)
    sys.stdin.read()
"""


def lock_free(url: str) -> bool:
    engine = create_engine(url)
    try:
        with sync_lock(engine) as held:
            return held
    finally:
        engine.dispose()


def test_a_second_holder_is_refused_until_the_first_lets_go(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        with sync_lock(engine) as first, sync_lock(engine) as second:
            assert first and not second
        with sync_lock(engine) as again:
            assert again
    finally:
        engine.dispose()


def test_a_killed_holder_leaves_the_lock_free(database_url: str) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", HOLD_IN_CHILD, database_url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        assert not lock_free(database_url)
    finally:
        child.kill()
        child.wait(timeout=30)

    # PostgreSQL ends the session when it sees it closed.
    wait_until(lambda: lock_free(database_url), timeout=10, what="the lock to be free")
