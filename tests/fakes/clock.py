"""A clock for tests: time that moves only when a test, or the code's own ``sleep``, moves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class FakeClock:
    """Seconds since the epoch, as ``time.time`` gives them; call it to read the time.

    ``advance`` moves it as a test says; ``sleep`` is what code under test waits with
    (passed where it takes ``sleep=``): it moves the clock and notes each wait in ``slept``.
    """

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock on by ``seconds``."""
        self.now += seconds

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` without waiting: the clock moves on at once."""
        self.slept.append(seconds)
        self.now += seconds


class Clock:
    """A datetime that starts at now and moves on only when ``later`` is called."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def later(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now
