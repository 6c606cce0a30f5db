"""Job bodies for the inbox; they run inside an app context and log what they did."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from station.cin7.errors import Cin7Error, Cin7NotConfigured
from station.cin7.mapping import format_cin7_datetime
from station.cin7.wiring import cin7_wiring
from station.db import utcnow
from station.extensions import db
from station.inbox.options import LAST_SHIPMENT_CHECK_KEY, load_options
from station.inbox.shipments import check_shipments
from station.inbox.submit import submit_orders

log = logging.getLogger(__name__)


def run_inbox_submission(order_ids: list[int], *, actor: str) -> dict[str, Any]:
    """Submit inbox orders to Cin7; every order's own log says how it went."""
    wiring = cin7_wiring()
    try:
        outcome = submit_orders(
            db.session,
            lambda: wiring.client(db.session),
            order_ids,
            options=load_options(wiring.settings(db.session)),
            now=utcnow,
            actor=actor,
        )
    finally:
        db.session.remove()
    log.info(
        "inbox: %d submitted to Cin7, %d refused, %d skipped",
        len(outcome.submitted),
        len(outcome.refused),
        len(outcome.skipped),
    )
    return asdict(outcome)


def run_shipment_check(*, actor: str = "") -> dict[str, Any] | None:
    """Read back from Cin7 which inbox orders shipped or were canceled; None when it could not.

    The time and outcome are kept for the inbox page (``LAST_SHIPMENT_CHECK_KEY``).
    """
    wiring = cin7_wiring()
    store = wiring.settings(db.session)
    started = utcnow()
    try:
        report = check_shipments(
            db.session,
            lambda: wiring.client(db.session),
            options=load_options(store),
            now=started,
            actor=actor,
        )
        summary: dict[str, Any] = asdict(report)
    except Cin7NotConfigured as exc:
        log.info("inbox shipment check waits: %s", exc)
        summary = {"error": str(exc)}
    except Cin7Error as exc:
        log.warning("inbox shipment check failed: %s", exc)
        summary = {"error": str(exc)}
    try:
        db.session.rollback()
        store.set(LAST_SHIPMENT_CHECK_KEY, {"at": format_cin7_datetime(started), **summary})
        db.session.commit()
    finally:
        db.session.remove()
    if summary.get("checked"):
        log.info(
            "inbox shipment check: %d asked about, %d shipped, %d canceled (%d calls)",
            summary["checked"],
            len(summary["shipped"]),
            len(summary["canceled"]),
            summary["calls"],
        )
    return None if "error" in summary else summary
