"""Fixtures of the operations tests: the app's session, a small Cin7 sandbox."""

from __future__ import annotations

import pytest

from tests.dispatch.conftest import ctx

__all__ = ["ctx"]


@pytest.fixture
def sandbox_orders() -> int:
    """The doctor asks Cin7 for one branch: a handful of orders is plenty."""
    return 5
