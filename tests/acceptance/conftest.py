"""The acceptance runs: crashes, killed workers and the 500-order round trip, end to end.

They run in ``make test`` like every other test; ``make check`` leaves out the slow and
PostgreSQL ones. Each run seeds the Cin7 orders it needs: the sandbox starts empty unless a
module says otherwise.
"""

from __future__ import annotations

import pytest


@pytest.fixture
def sandbox_orders() -> int:
    """No demo orders: each run adds its own (``test_worker_kills`` overrides this)."""
    return 0
