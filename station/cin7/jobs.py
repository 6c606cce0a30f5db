"""Job bodies for Cin7 work; they run inside an app context and log what they did."""

from __future__ import annotations

import logging
from typing import Any

from station.cin7.errors import Cin7Error
from station.cin7.selection import load_selection
from station.cin7.sync import SyncAlreadyRunning, SyncError, sync_orders
from station.cin7.wiring import cin7_wiring
from station.extensions import db

log = logging.getLogger(__name__)


def run_order_sync(*, trigger: str) -> dict[str, Any] | None:
    """Run one order sync; a sync already under way or a failure is logged, not raised."""
    wiring = cin7_wiring()
    try:
        with wiring.client(db.session) as client:
            summary = sync_orders(
                db.session, client, load_selection(wiring.settings(db.session)), trigger=trigger
            )
    except SyncAlreadyRunning as exc:
        log.info("order sync (%s) not started: %s", trigger, exc)
        return None
    except (SyncError, Cin7Error) as exc:
        log.warning("order sync (%s) failed: %s", trigger, exc)
        return None
    finally:
        db.session.remove()
    return {"run_id": summary.run_id, "summary": summary.describe()}
