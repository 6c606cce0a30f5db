"""Cin7's per-account call budget as sliding windows over the calls the sandbox accepted."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Sequence

from station.cin7.sandbox.state import Limits

DAY = 86_400
# Retry-After for a breached day: Cin7 gives no hint, and an hour is what a client
# should wait before asking again rather than the full day.
DAY_RETRY_AFTER = 3600


class CallWindows:
    """Counts accepted calls per second, minute and day; a breach names its Retry-After."""

    def __init__(self, limits: Limits, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._windows: list[tuple[int, int, deque[float]]] = [
            (1, limits.per_second, deque()),
            (60, limits.per_minute, deque()),
            (DAY, limits.per_day, deque()),
        ]
        self._lock = threading.Lock()

    def admit(self) -> int | None:
        """Count a call now and return None, or return Retry-After seconds without counting it."""
        return self.count()[1]

    def count(self) -> tuple[float, int | None]:
        """``admit``, also saying the time it was counted at (the request log keeps it)."""
        with self._lock:
            now = self._clock()
            for seconds, allowed, calls in self._windows:
                while calls and calls[0] <= now - seconds:
                    calls.popleft()
                if len(calls) >= allowed:
                    return now, seconds if seconds < DAY else DAY_RETRY_AFTER
            for _, _, calls in self._windows:
                calls.append(now)
            return now, None

    def forget_last(self) -> None:
        """Take back the last admitted call (it was answered as if the limit had refused it)."""
        with self._lock:
            for _, _, calls in self._windows:
                if calls:
                    calls.pop()


def busiest_window(stamps: Sequence[float], seconds: float = 1.0) -> int:
    """The most calls that fell within any window of ``seconds`` (for checking a log)."""
    times = sorted(stamps)
    most, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= seconds:
            start += 1
        most = max(most, end - start + 1)
    return most
