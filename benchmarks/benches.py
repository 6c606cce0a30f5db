"""Benches over HTTP: scan → Enter → label bytes at each bench's TCP printer: 1, then 8 at once.

The embedded default (SQLite, one process, jobs run inline so the label is sent within
the Enter request) served by a threaded WSGI server on loopback; each bench is a thread
with its own HTTP session and its own Zebra listener, and ships its own orders
(see benchmarks.driver).
"""

from __future__ import annotations

import tempfile
import threading
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from benchmarks.config import embedded_config
from benchmarks.driver import (
    PACKER_PACE_S,
    Round,
    add_benches,
    drive_benches,
    signed_in_benches,
)

ORDERS_PER_BENCH = 25
ROUNDS = (
    Round(1, ORDERS_PER_BENCH),
    Round(8, ORDERS_PER_BENCH),
    Round(8, 12, pace_s=PACKER_PACE_S),
)


PARCEL_ROUNDS = (Round(1, ORDERS_PER_BENCH), Round(1, ORDERS_PER_BENCH, parcels=3))


def bench_dispatch() -> dict[str, Any]:
    """One bench, then eight at once flat out, then eight at a packer's pace."""
    return {each.name: _run(each) for each in ROUNDS}


def bench_parcels() -> dict[str, Any]:
    """One bench: one-parcel orders, then three-parcel orders (goal: p95 at most 2×)."""
    rounds = {each.name: _run(each) for each in PARCEL_ROUNDS}
    one, three = (rounds[each.name]["scan_to_label_bytes"] for each in PARCEL_ROUNDS)
    ratio = round(three["p95_ms"] / one["p95_ms"], 2) if one["p95_ms"] and three["p95_ms"] else None
    return {**rounds, "p95_ratio_3_to_1_parcel": ratio, "goal_p95_ratio": 2.0}


def _run(round_: Round) -> dict[str, Any]:
    from flask_migrate import upgrade
    from sqlalchemy import func, select
    from werkzeug.serving import make_server

    from printers.testing import ZebraListener
    from station import create_app
    from station.extensions import db
    from station.models import Consignment, OrderLine, PrintJob, SalesOrder

    benches = round_.benches
    references = [[f"SO-{n}-{i}" for i in range(round_.orders_each)] for n in range(benches)]
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(embedded_config(folder, WTF_CSRF_ENABLED=False))
        listeners = [ZebraListener().start() for _ in range(benches)]
        with app.app_context():
            upgrade()
            now = datetime.now(UTC)
            for n, bench_references in enumerate(references):
                for i, reference in enumerate(bench_references):
                    db.session.add(
                        SalesOrder(
                            cin7_id=100_000 + n * 1000 + i,
                            reference=reference,
                            stage="New",
                            delivery_first_name="Aroha",
                            delivery_address1="1 Cuba Street",
                            delivery_city="Wellington",
                            delivery_postal_code="6011",
                            delivery_country="New Zealand",
                            cin7_modified=now,
                            lines=[OrderLine(position=1, code="TEE", name="Tee", qty=Decimal(1))],
                        )
                    )
            printer_ids = add_benches(db.session, [listener.port for listener in listeners])
        server = make_server("127.0.0.1", 0, app, threaded=True)
        serve = threading.Thread(target=server.serve_forever, daemon=True)
        serve.start()
        try:
            with signed_in_benches(
                f"http://127.0.0.1:{server.server_port}", printer_ids
            ) as browsers:
                run = drive_benches(
                    browsers, listeners, references, pace_s=round_.pace_s, parcels=round_.parcels
                )
        finally:
            server.shutdown()
            for listener in listeners:
                listener.stop()
        with app.app_context():
            consignments = db.session.scalar(select(func.count()).select_from(Consignment)) or 0
            jobs = db.session.scalar(select(func.count()).select_from(PrintJob))
            db.engine.dispose()
    received = sum(len(listener.jobs) for listener in listeners)
    return {
        **run.figures(),
        "consignments": consignments,
        "print_jobs": jobs,
        "labels_received": received,
        "parcels_each": round_.parcels,
        "duplicates": consignments - run.orders + (received - run.orders * round_.parcels),
    }
