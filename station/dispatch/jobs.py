"""The job body that delivers the outbox; it runs inside an app context."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import timedelta
from typing import Any

from flask import current_app

from station.cin7.errors import Cin7NotConfigured
from station.cin7.trigger import ShopifyTrigger
from station.cin7.wiring import cin7_wiring
from station.db import utcnow
from station.dispatch.bulk import run_bulk
from station.dispatch.options import load_options, load_sender
from station.dispatch.outage import book_queued
from station.dispatch.outbox import deliver_outbox
from station.extensions import db
from station.models import Consignment
from station.settings import settings_store

log = logging.getLogger(__name__)


def run_outbox() -> dict[str, Any] | None:
    """One delivery pass; None when Cin7 is not connected yet (the items keep waiting)."""
    try:
        # The pass's own time, not the sending lease: a pass may wait out Cin7's 429s.
        wiring = cin7_wiring()
        with wiring.client(
            db.session, write_back=True, deadline_key="OUTBOX_PASS_DEADLINE"
        ) as client:
            lease = sending_lease(current_app.config)
            batch = int(current_app.config.get("OUTBOX_BATCH_SIZE", 250))
            trigger = ShopifyTrigger(
                wiring.shopify_trigger_template(db.session),
                load_options(settings_store(db.session)).shopify_link_id,
                allow_private=wiring.allow_private,
            )
            result = deliver_outbox(
                db.session,
                client,
                now=utcnow(),
                lease=lease,
                batch=batch,
                clock=utcnow,
                trigger=trigger,
            )
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


def sending_lease(config: Mapping[str, Any]) -> timedelta:
    """How long an outbox claim may go unrenewed before its worker counts as dead."""
    return timedelta(seconds=float(config.get("OUTBOX_SENDING_LEASE", 30)))


def run_bulk_dispatch(
    run_id: int, *, print_labels: Callable[[int], Any], deliver: Callable[[], Any]
) -> None:
    """Ship a bulk run's orders, starting the printer's queue as labels are queued."""
    store = settings_store(db.session)
    try:
        run_bulk(
            db.session,
            run_id,
            options=load_options(store),
            sender=load_sender(store),
            now=utcnow,
            on_shipped=lambda run: print_labels(run.printer_id),
        )
    finally:
        db.session.remove()
    deliver()


def run_queued_bookings() -> list[int]:
    """Book consignments queued in a carrier outage; the printers that now have labels."""
    try:
        result = book_queued(
            db.session, options=load_options(settings_store(db.session)), now=utcnow()
        )
        printers = {
            c.printer_id
            for c in (db.session.get(Consignment, i) for i in result.booked)
            if c is not None and c.printer_id is not None
        }
    finally:
        db.session.remove()
    if result.booked or result.refused:
        log.info(
            "queued consignments: %d booked, %d refused, %d still waiting",
            len(result.booked),
            len(result.refused),
            result.waiting,
        )
    return sorted(printers)
