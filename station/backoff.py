"""How long a durable queue waits before trying a failed item again."""

from __future__ import annotations

from datetime import timedelta


def backoff_delay(attempts: int, *, first: float, maximum: float) -> timedelta:
    """``first`` seconds after the first failure, doubling each time, at most ``maximum``."""
    return timedelta(seconds=min(maximum, first * 2 ** max(0, attempts - 1)))
