"""Fixtures of the inbox tests: an empty Cin7 sandbox without limits (the tests add what they need)."""

from __future__ import annotations

import pytest

from station.cin7.sandbox import Limits


@pytest.fixture
def sandbox_orders() -> int:
    return 0


@pytest.fixture
def sandbox_limits() -> Limits:
    return Limits.unlimited()
