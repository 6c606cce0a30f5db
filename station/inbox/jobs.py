"""Job bodies for the inbox; they run inside an app context and log what they did."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from datetime import datetime
from typing import Any

from flask import current_app

from station.cin7.errors import Cin7Error, Cin7NotConfigured
from station.cin7.mapping import format_cin7_datetime
from station.cin7.wiring import cin7_wiring
from station.config import read_flag
from station.db import utcnow
from station.extensions import db
from station.inbox.branches import BranchCheck
from station.inbox.claims import Trigger
from station.inbox.csv_import import Batching
from station.inbox.imports import run_import
from station.inbox.inventory import sync_inventory
from station.inbox.inventory_schedule import last_sync_at, sync_due
from station.inbox.options import LAST_INVENTORY_SYNC_KEY, LAST_SHIPMENT_CHECK_KEY, load_options
from station.inbox.resubmit import due_for_resubmission, retry_timing
from station.inbox.shipments import check_shipments
from station.inbox.submit import scheduled_submissions, submit_orders
from station.inbox.webhook_client import WebhookClient
from station.inbox.webhooks import deliver_webhooks

log = logging.getLogger(__name__)


def run_inbox_submission(
    order_ids: list[int],
    *,
    by: str,
    trigger: Trigger = Trigger.MANUAL,
    deliver: Callable[[], Any] = lambda: None,
) -> dict[str, Any]:
    """Submit inbox orders to Cin7 on behalf of ``by``; every order's own log says how it went.

    ``trigger`` says what started the run, and so which of the orders it may still take;
    ``deliver`` starts a webhook delivery pass, called when rules queued webhooks.
    """
    wiring = cin7_wiring()
    try:
        outcome = submit_orders(
            db.session,
            # 429s are waited out while the run's claims last; its POSTs stop sooner.
            lambda: wiring.client(db.session, deadline_key="INBOX_SUBMIT_LEASE"),
            order_ids,
            options=load_options(wiring.settings(db.session)),
            now=utcnow,
            by=by,
            timing=retry_timing(current_app.config),
            trigger=trigger,
        )
    finally:
        db.session.remove()
    if outcome.webhooks:
        deliver()
    log.info(
        "inbox: %d submitted to Cin7, %d refused, %d skipped",
        len(outcome.submitted),
        len(outcome.refused),
        len(outcome.skipped),
    )
    return asdict(outcome)


def run_csv_import(import_id: int) -> tuple[bool, bool]:
    """Run a queued CSV import; whether rules scheduled orders to Cin7 and queued webhooks."""
    try:
        settled = run_import(
            db.session,
            import_id,
            branch_known=BranchCheck.using(cin7_wiring(), db.session, now=utcnow()),
            batching=Batching.for_database(db.engine.dialect.name),
            now=utcnow,
        )
        return bool(settled.scheduled), bool(settled.webhooks)
    finally:
        db.session.remove()


def run_scheduled_submissions(submit: Callable[[list[int], str, str], Any]) -> int:
    """Queue ``submit(ids, by, trigger)`` for scheduled orders no run has taken; how many.

    The runs are marked as the sweep's, so one that waits in the queue behind another
    run of the same orders takes only those still scheduled when it starts.
    """
    try:
        due = scheduled_submissions(db.session, now=utcnow())
    finally:
        db.session.remove()
    for by, ids in due.items():
        log.info("inbox: %d scheduled order(s) of %s go to Cin7 now", len(ids), by or "nobody")
        submit(ids, by, Trigger.SCHEDULED.value)
    return sum(len(ids) for ids in due.values())


def run_inbox_resubmission(deliver: Callable[[], Any] = lambda: None) -> dict[str, Any] | None:
    """Submit again the orders whose run was cut off or whose retry time has come; None if none."""
    try:
        due = due_for_resubmission(
            db.session, now=utcnow(), timing=retry_timing(current_app.config)
        )
    finally:
        db.session.remove()
    if not due:
        return None
    log.info("inbox: sending %d order(s) Cin7 never confirmed again", len(due))
    return run_inbox_submission(due, by="", trigger=Trigger.RESUBMISSION, deliver=deliver)


def run_shipment_check(
    *, by: str = "", deliver: Callable[[], Any] = lambda: None
) -> dict[str, Any] | None:
    """Read back from Cin7 which inbox orders shipped or were canceled; None when it could not.

    ``by`` names who asked in the orders' events; ``deliver`` starts a webhook delivery
    pass, called when rules queued webhooks.
    """
    wiring = cin7_wiring()

    def check(now: datetime) -> dict[str, Any]:
        report = check_shipments(
            db.session,
            lambda: wiring.client(db.session, deadline_key="SYNC_DEADLINE"),
            options=load_options(wiring.settings(db.session)),
            now=now,
            by=by,
        )
        return asdict(report)

    summary = _run_and_remember("shipment check", LAST_SHIPMENT_CHECK_KEY, check)
    if summary is not None and summary.get("webhooks"):
        deliver()
    return summary


def run_inventory_sync(*, scheduled: bool) -> dict[str, Any] | None:
    """Read Cin7's stock; a scheduled run only when the interval chosen in the settings is up.

    The settings are read at each run, so a new interval counts from the next tick.
    """
    wiring = cin7_wiring()
    if scheduled:
        store = wiring.settings(db.session)
        minutes = load_options(store).inventory_sync_minutes
        due = sync_due(minutes, last_sync_at(store), now=utcnow())
        if not due:
            db.session.remove()
            return None

    def sync(now: datetime) -> dict[str, Any]:
        return asdict(
            sync_inventory(
                db.session,
                lambda: wiring.client(db.session, deadline_key="SYNC_DEADLINE"),
                now=now,
            )
        )

    return _run_and_remember("inventory sync", LAST_INVENTORY_SYNC_KEY, sync)


def run_webhook_delivery() -> dict[str, Any]:
    """Post the rules' webhooks that are due; each delivery records how it went."""
    client = WebhookClient(allow_private=read_flag(current_app.config, "INBOX_WEBHOOK_PRIVATE"))
    try:
        report = deliver_webhooks(db.session, client, now=utcnow())
    finally:
        db.session.remove()
    if any(asdict(report).values()):
        log.info(
            "inbox webhooks: %d delivered, %d retrying, %d need attention",
            report.delivered,
            report.retrying,
            report.failed,
        )
    return asdict(report)


def _run_and_remember(
    what: str, key: str, work: Callable[[datetime], dict[str, Any]]
) -> dict[str, Any] | None:
    """Run ``work`` and keep its time and outcome under ``key`` for the inbox pages.

    Cin7 trouble is logged and kept as the outcome's ``error``; the answer is then None.
    """
    started = utcnow()
    try:
        summary = work(started)
    except Cin7NotConfigured as exc:
        log.info("inbox %s waits: %s", what, exc)
        summary = {"error": str(exc)}
    except Cin7Error as exc:
        log.warning("inbox %s failed: %s", what, exc)
        summary = {"error": str(exc)}
    try:
        db.session.rollback()
        store = cin7_wiring().settings(db.session)
        store.set(key, {"at": format_cin7_datetime(started), **summary})
        db.session.commit()
    finally:
        db.session.remove()
    if "error" not in summary:
        log.info("inbox %s: %s", what, summary)
    return None if "error" in summary else summary
