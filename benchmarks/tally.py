"""Counting what a dispatch run did, for the duplicate checks of the dispatch benchmarks.

Cin7's side comes from the sandbox's request log: the calls, the 429s, the busiest
second and minute, and per order the applied Dispatched updates and freight pushes.
Station's side: outbox items not yet delivered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Cin7Tally:
    """What the sandbox saw: calls, throttling, and per Cin7 order id what was applied."""

    calls: int
    throttled_429: int
    busiest_second: int
    busiest_minute: int
    dispatched: Counter[int]
    freight: Counter[int]

    @property
    def repeats(self) -> int:
        """Dispatched updates and freight pushes applied more than once to the same order."""
        return sum(n - 1 for n in self.dispatched.values()) + sum(
            n - 1 for n in self.freight.values()
        )


def tally_cin7(calls: Sequence[Any]) -> Cin7Tally:
    """Tally logged sandbox requests (``LoggedRequest``: t, method, status, body)."""
    from station.cin7.sandbox import busiest_window

    applied = [
        item
        for request in calls
        if request.method == "PUT" and request.status == 200
        for item in request.body
    ]
    stamps = [request.t for request in calls]
    return Cin7Tally(
        calls=len(calls),
        throttled_429=sum(1 for request in calls if request.status == 429),
        busiest_second=busiest_window(stamps, 1.0),
        busiest_minute=busiest_window(stamps, 60.0),
        dispatched=Counter(i["id"] for i in applied if i.get("stage") == "Dispatched"),
        freight=Counter(i["id"] for i in applied if "freightTotal" in i),
    )


def open_outbox_items(session: Any) -> int:
    """Outbox items still pending or being sent."""
    from sqlalchemy import func, select

    from station.models import OutboxItem, OutboxState

    return int(
        session.scalar(
            select(func.count())
            .select_from(OutboxItem)
            .where(OutboxItem.state.in_([OutboxState.PENDING, OutboxState.SENDING]))
        )
        or 0
    )
