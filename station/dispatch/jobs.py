"""The job body that delivers the outbox; it runs inside an app context."""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from flask import current_app

from station.cin7.errors import Cin7NotConfigured
from station.cin7.wiring import cin7_wiring
from station.db import utcnow
from station.dispatch.outbox import deliver_outbox
from station.extensions import db

log = logging.getLogger(__name__)


def run_outbox() -> dict[str, Any] | None:
    """One delivery pass; None when Cin7 is not connected yet (the items keep waiting)."""
    try:
        with cin7_wiring().client(db.session) as client:
            lease = timedelta(seconds=float(current_app.config.get("OUTBOX_SENDING_LEASE", 300)))
            batch = int(current_app.config.get("OUTBOX_BATCH_SIZE", 250))
            result = deliver_outbox(db.session, client, now=utcnow(), lease=lease, batch=batch)
    except Cin7NotConfigured as exc:
        log.info("outbox waits: %s", exc)
        return None
    finally:
        db.session.remove()
    if result.calls:
        log.info(
            "outbox: %d delivered, %d retrying, %d need attention (%d calls)",
            result.done,
            result.retrying,
            result.failed,
            result.calls,
        )
    return asdict(result)
