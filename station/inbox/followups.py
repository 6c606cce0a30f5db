"""The jobs an inbox command starts once its change is committed.

A service that owns a unit of work registers these with ``uow.after_commit``: the
submission pass for orders rules scheduled, the webhook delivery pass, and the jobs a
person asked for (submit now, check shipments, read stock, import a file). The jobs are
handed in (the app's ``station.jobs.jobs()`` satisfies :class:`InboxJobs`), so the inbox
never imports the job registry, which imports the inbox's job bodies.
"""

from __future__ import annotations

from typing import Protocol

from station.inbox.bus import Settled
from station.uow import UnitOfWork


class InboxJobs(Protocol):
    """The job queue as the inbox's commands use it."""

    def submit_scheduled_soon(self) -> None:
        """Queue a pass over the orders scheduled to Cin7, a moment from now."""

    def deliver_inbox_webhooks(self) -> object:
        """Queue a webhook delivery pass."""

    def submit_inbox(self, order_ids: list[int], by: str) -> object:
        """Queue a submission run of these orders, on behalf of ``by``."""

    def check_inbox_shipments(self, by: str) -> object:
        """Queue a shipment check, on behalf of ``by``."""

    def sync_inventory(self, scheduled: bool) -> object:
        """Queue an inventory sync (``scheduled``: only if the settings turn it on)."""

    def import_csv(self, import_id: int) -> object:
        """Queue a CSV import's job."""


def queue_rule_work(uow: UnitOfWork, jobs: InboxJobs, settled: Settled) -> None:
    """After ``uow`` commits, queue what the rules left: a submission pass, a delivery pass."""
    if settled.scheduled:
        uow.after_commit(jobs.submit_scheduled_soon)  # a burst of imports shares one run
    if settled.webhooks:
        uow.after_commit(jobs.deliver_inbox_webhooks)
