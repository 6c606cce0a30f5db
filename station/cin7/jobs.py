"""Job bodies for Cin7 work; they run inside an app context and log what they did."""

from __future__ import annotations

import logging
from typing import Any

from station.cin7.branch_cache import BRANCHES_ASKED_KEY, cached_branches, list_branches
from station.cin7.errors import Cin7Error
from station.cin7.mapping import format_cin7_datetime
from station.cin7.selection import load_selection
from station.cin7.sync import SyncBusy, SyncError, sync_orders
from station.cin7.wiring import cin7_wiring
from station.db import utcnow
from station.extensions import db

log = logging.getLogger(__name__)


def run_order_sync(*, trigger: str) -> dict[str, Any] | None:
    """Run one order sync; a sync already under way is reported, a failure logged, not raised."""
    wiring = cin7_wiring()
    try:
        with wiring.client(db.session, deadline_key="SYNC_DEADLINE") as client:
            outcome = sync_orders(
                db.session, client, load_selection(wiring.settings(db.session)), trigger=trigger
            )
    except (SyncError, Cin7Error) as exc:
        log.warning("order sync (%s) failed: %s", trigger, exc)
        return None
    finally:
        db.session.remove()
    if isinstance(outcome, SyncBusy):
        log.info("order sync (%s) not started: %s", trigger, outcome.message)
        return {"run_id": None, "already_running": True, "summary": outcome.describe()}
    _name_branches_once()
    return {"run_id": outcome.run_id, "already_running": False, "summary": outcome.describe()}


def _name_branches_once() -> None:
    """After the first good sync, list Cin7's branches (one call) so pages name the orders'
    branches ("Auckland Warehouse (1)", not "1") without anyone pressing "List Cin7
    branches". Asked once: a refusal (no Branches permission, Cin7 down) is logged and not
    asked again by itself, so it never spends the day's calls sync after sync."""
    wiring = cin7_wiring()
    try:
        store = wiring.settings(db.session)
        if cached_branches(store).fetched_at is not None or store.get(BRANCHES_ASKED_KEY):
            return
        store.set(BRANCHES_ASKED_KEY, format_cin7_datetime(utcnow()))
        db.session.commit()
        list_branches(store, lambda: wiring.client(db.session), now=utcnow())
    except Exception:  # the sync itself went well: this must not make it fail
        log.warning("listing Cin7's branches after the first sync failed", exc_info=True)
    finally:
        db.session.remove()
