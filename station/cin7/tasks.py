"""Cin7's queued work: the order sync, on demand and on the ``SYNC_INTERVAL`` schedule."""

from __future__ import annotations

from typing import Any

from station.cin7.jobs import run_order_sync
from station.jobs import Jobs, every_minutes, sync_interval_minutes


def register(queue: Jobs) -> None:
    """Put the order sync on ``queue``: ``jobs().sync_orders(trigger)`` and its schedule."""
    queue.task("sync_orders", sync_orders)
    minutes = sync_interval_minutes(queue.config.get("SYNC_INTERVAL", 60))
    queue.periodic("sync_orders_periodic", every_minutes(minutes), scheduled_sync)


def sync_orders(trigger: str = "schedule") -> dict[str, Any] | None:
    """One order sync, started by ``trigger`` ("manual", "startup", "schedule")."""
    return run_order_sync(trigger=trigger)


def scheduled_sync() -> dict[str, Any] | None:
    """The sync the schedule starts."""
    return run_order_sync(trigger="schedule")
