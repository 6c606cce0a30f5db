"""Job bodies for the inbox; they run inside an app context and log what they did."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from station.cin7.wiring import cin7_wiring
from station.db import utcnow
from station.extensions import db
from station.inbox.options import load_options
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
