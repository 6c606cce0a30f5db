"""How many print agent long polls one web process holds at once.

A long poll keeps a worker thread for up to ``LONG_POLL_MAX`` seconds. Without a bound,
one agent token (or a script holding it) could take every thread, and ``/healthz`` and
the benches would wait behind it. So each token holds at most ``per_token`` polls and the
process at most ``total``; a poll past either bound is refused at once with 429, and the
agent backs off. The counts are per process: each gunicorn worker has its own.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, current_app


class TooManyPolls(Exception):
    """A long poll past a bound; the message says which."""


class LongPolls:
    """Counts the long polls this process holds, per agent and in all."""

    def __init__(self, *, per_token: int, total: int) -> None:
        self.per_token = per_token
        self.total = total
        self._held: Counter[int] = Counter()
        self._changed = threading.Condition()

    @contextmanager
    def hold(self, agent_id: int) -> Iterator[None]:
        """Hold one poll for ``agent_id`` while the block runs; TooManyPolls past a bound."""
        with self._changed:
            if self._held[agent_id] >= self.per_token:
                raise TooManyPolls(
                    f"This agent token already has {self.per_token} polls waiting; one agent "
                    "needs only one. Stop the other agent using this token."
                )
            if sum(self._held.values()) >= self.total:
                raise TooManyPolls(
                    "The server is holding as many agent polls as it may; try again shortly."
                )
            self._held[agent_id] += 1
            self._changed.notify_all()
        try:
            yield
        finally:
            with self._changed:
                self._held[agent_id] -= 1
                self._changed.notify_all()

    def wait_until_held(self, count: int, *, timeout: float) -> bool:
        """Wait until ``count`` polls are held in all (for tests and shutdown); False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: sum(self._held.values()) >= count, timeout)


def init_app(app: Flask) -> None:
    """Set up this process's long poll bounds from AGENT_POLLS_PER_TOKEN and AGENT_POLLS_MAX."""
    app.extensions["station.long_polls"] = LongPolls(
        per_token=int(app.config["AGENT_POLLS_PER_TOKEN"]),
        total=int(app.config["AGENT_POLLS_MAX"]),
    )


def long_polls() -> LongPolls:
    """The current app's long poll bounds."""
    return current_app.extensions["station.long_polls"]
