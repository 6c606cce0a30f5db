"""Killed mid-Enter: nothing is half-shipped, and shipping again ships exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from station.carriers.base import Parcel
from station.dispatch.options import DispatchOptions, FreightPush, Sender
from station.dispatch.ship import ShipRequest, ship_order
from station.extensions import db
from station.models import Consignment, OutboxItem, Printer, PrintJob, TicketCounter
from tests.builders import add_order, add_printer

pytestmark = pytest.mark.both_databases


def counts(app: Flask) -> tuple[int, int, int]:
    with app.app_context():
        return tuple(  # type: ignore[return-value]
            db.session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Consignment, PrintJob, OutboxItem)
        )


def test_a_process_killed_before_commit_leaves_nothing_and_the_retry_ships_once(
    app: Flask, app_config: dict[str, Any]
) -> None:
    with app.app_context():
        order = add_order(db.session)
        add_printer(db.session)
        db.session.commit()
        order_id = order.id

    crashed = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.acceptance.crash_ship",
            json.dumps(app_config),
            str(order_id),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert crashed.returncode == 9, crashed.stderr
    assert counts(app) == (0, 0, 0)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(TicketCounter)) == 0
        shipped = ship_order(
            db.session,
            order_id,
            ShipRequest(key="bench-1-crash", parcels=(Parcel(1500),), service_code="ON"),
            printer=db.session.scalars(select(Printer)).one(),
            user=None,
            options=DispatchOptions(freight_push=FreightPush.COST),
            sender=Sender(),
            now=datetime.now(UTC),
        )
        first_ticket = shipped.consignment.tickets[0]
    assert counts(app) == (1, 1, 2)
    assert first_ticket.startswith("ON")
