"""The inbox's queued work: submissions to Cin7, CSV imports, read-backs and webhooks."""

from __future__ import annotations

from functools import partial
from typing import Any

from huey import crontab

from station.inbox.claims import Trigger
from station.inbox.inventory_schedule import TICK_MINUTES
from station.inbox.jobs import (
    run_csv_import,
    run_inbox_resubmission,
    run_inbox_submission,
    run_inventory_sync,
    run_scheduled_submissions,
    run_shipment_check,
    run_webhook_delivery,
)
from station.jobs import Jobs, every_minutes, jobs


def register(queue: Jobs) -> None:
    """Put the inbox's tasks and schedules on ``queue``, with ``submit_scheduled_soon``."""
    every_minute = crontab(minute="*")
    queue.task("deliver_inbox_webhooks", deliver_webhooks)
    queue.periodic("deliver_inbox_webhooks_periodic", every_minute, deliver_webhooks)
    queue.task("submit_inbox", submit_inbox)
    queue.task("submit_scheduled_inbox", submit_scheduled)
    queue.periodic("submit_scheduled_inbox_periodic", every_minute, submit_scheduled)
    queue.task("import_csv", import_csv)
    queue.task("resubmit_inbox", resubmit)
    queue.periodic("resubmit_inbox_periodic", every_minute, resubmit)
    queue.task("check_inbox_shipments", check_shipments)
    shipment_minutes = int(queue.config.get("INBOX_SHIPMENT_CHECK_MINUTES", 5))
    queue.periodic(
        "check_inbox_shipments_periodic", every_minutes(shipment_minutes), check_shipments
    )
    queue.task("sync_inventory", sync_inventory)
    # Wakes every quarter hour; the interval chosen in the inbox settings decides if it syncs.
    queue.periodic("sync_inventory_periodic", every_minutes(TICK_MINUTES), scheduled_inventory_sync)
    delay = float(queue.config["INBOX_RULE_SUBMIT_DELAY"])
    queue.follow_up("submit_scheduled_soon", partial(submit_scheduled_soon, delay=delay))


def deliver_webhooks() -> dict[str, Any]:
    """Post the rules' webhooks that are due."""
    return run_webhook_delivery()


def submit_inbox(order_ids: list[int], actor: str = "", trigger: str = "manual") -> dict[str, Any]:
    """Submit inbox orders to Cin7 for ``actor``; ``trigger`` names a :class:`Trigger`."""
    return run_inbox_submission(
        order_ids, by=actor, trigger=Trigger(trigger), deliver=jobs().deliver_inbox_webhooks
    )


def submit_scheduled() -> int:
    """Queue a submission for the orders rules scheduled to Cin7; how many."""
    return run_scheduled_submissions(jobs().submit_inbox)


def submit_scheduled_soon(*, delay: float) -> None:
    """Queue a pass over the orders rules scheduled to Cin7, a moment from now.

    A shop posting orders one request at a time with a "submit on import" rule would
    otherwise start a run per order (a product check and a POST each); the pass a
    moment later sends every order scheduled by then in one run, batches of 250.
    """
    jobs().soon(jobs().submit_scheduled_inbox, delay)


def import_csv(import_id: int) -> None:
    """Run a queued CSV import, then start what its rules asked for."""
    scheduled, webhooks = run_csv_import(import_id)
    if scheduled:  # rules fired on import: one pass sends every order they scheduled
        jobs().submit_scheduled_inbox()
    if webhooks:
        jobs().deliver_inbox_webhooks()


def resubmit() -> dict[str, Any] | None:
    """Submit again the orders Cin7 never confirmed whose time has come."""
    return run_inbox_resubmission(deliver=jobs().deliver_inbox_webhooks)


def check_shipments(actor: str = "") -> dict[str, Any] | None:
    """Read back from Cin7 which inbox orders shipped or were canceled."""
    return run_shipment_check(by=actor, deliver=jobs().deliver_inbox_webhooks)


def sync_inventory(scheduled: bool = False) -> dict[str, Any] | None:
    """Read Cin7's stock; ``scheduled`` runs only when the interval chosen in the settings is up."""
    return run_inventory_sync(scheduled=scheduled)


def scheduled_inventory_sync() -> dict[str, Any] | None:
    """The inventory sync the schedule starts (when the interval chosen in the settings is up)."""
    return run_inventory_sync(scheduled=True)
