"""Fixtures of the operations tests: a small Cin7 sandbox."""

from __future__ import annotations

import pytest


@pytest.fixture
def sandbox_orders() -> int:
    """The doctor asks Cin7 for one branch: a handful of orders is plenty."""
    return 5
