"""Waiting for what another thread or process does: polled, bounded, failing with a reason."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest

T = TypeVar("T")


def wait_until(
    condition: Callable[[], T], *, timeout: float, interval: float = 0.05, what: str = ""
) -> T:
    """Call ``condition`` until it returns something true, and return that.

    Fails the test after ``timeout`` seconds, naming ``what`` was awaited. Checks once
    more at the deadline, so a slow machine that got there just in time still passes.
    """
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() >= deadline:
            break
        time.sleep(interval)
    if not result:
        pytest.fail(f"waited {timeout:g} s for {what or 'a condition'} in vain")
    return result
