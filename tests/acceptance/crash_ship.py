"""Run by the crash test as its own process: ship one order, and die before committing.

``python -m tests.acceptance.crash_ship CONFIG_JSON ORDER_ID`` ships with the
process killed (``os._exit``) right after the consignment was booked, its label queued
and its write-backs recorded, the worst moment: everything is done but not committed.
"""

from __future__ import annotations

import json
import os
import sys
from datetime import UTC, datetime
from typing import Any

from station import create_app
from station.carriers.base import Parcel
from station.dispatch import ship
from station.dispatch.options import DispatchOptions, FreightPush, Sender
from station.extensions import db
from station.models import Printer

real_record = ship.record_writebacks


def record_then_die(*args: Any, **kwargs: Any) -> Any:
    real_record(*args, **kwargs)
    db.session.flush()
    os._exit(9)


def main(config: dict[str, Any], order_id: int) -> None:
    app = create_app(config)
    ship.record_writebacks = record_then_die
    with app.app_context():
        ship.ship_order(
            db.session,
            order_id,
            ship.ShipRequest(key="bench-1-crash", parcels=(Parcel(1500),), service_code="ON"),
            printer=db.session.query(Printer).one(),
            user=None,
            options=DispatchOptions(freight_push=FreightPush.COST),
            sender=Sender(),
            now=datetime.now(UTC),
        )


if __name__ == "__main__":
    main(json.loads(sys.argv[1]), int(sys.argv[2]))
