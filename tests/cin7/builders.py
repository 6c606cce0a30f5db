"""Builders shared by the Cin7 tests: a sync over everything the sandbox holds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask

from station.cin7.client import Cin7Client
from station.cin7.selection import OrderSelection
from station.cin7.sync import (
    SyncBusy,
    SyncSummary,
    sync_orders,
)
from station.cin7.wiring import cin7_wiring
from station.extensions import db

Hook = Callable[[Any], None]

EVERYTHING = OrderSelection(approved_only=False, include_dispatched=True, window_days=3650)


def run_sync(
    app: Flask, selection: OrderSelection = OrderSelection(), **kwargs: Any
) -> SyncSummary:
    outcome = try_sync(app, selection, **kwargs)
    assert isinstance(outcome, SyncSummary), outcome
    return outcome


def try_sync(
    app: Flask,
    selection: OrderSelection = OrderSelection(),
    *,
    on_request: Hook | None = None,
    on_response: Hook | None = None,
    **kwargs: Any,
) -> SyncSummary | SyncBusy:
    """One sync; httpx hooks, when given, watch the calls or make something go wrong."""
    with app.app_context():
        wiring = cin7_wiring()
        client = wiring.client(db.session)
        if on_request or on_response:
            client.close()
            conn = wiring.connection(db.session)
            hooks = {
                "request": [on_request] if on_request else [],
                "response": [on_response] if on_response else [],
            }
            client = Cin7Client.connect(
                conn.base_url,
                conn.username,
                conn.api_key,
                limiter=wiring.limiter,
                event_hooks=hooks,
            )
        try:
            return sync_orders(db.session, client, selection, **kwargs)
        finally:
            client.close()
