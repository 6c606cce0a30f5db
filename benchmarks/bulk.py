"""Bulk dispatch of 1,000 orders: consignments and labels, then the write-backs to Cin7.

The embedded default (SQLite, jobs inline) against the Cin7 sandbox over real HTTP with
Cin7's own limits (3/s, 60/min), and a TCP listener as the Zebra. The manager's run
ships every order (consignment, label to the printer, outbox items); the outbox is then
delivered in passes until empty, each order marked Dispatched and its freight pushed.
Orders per minute are reported for the shipping alone and end to end (shipping plus
write-back), with the Cin7 calls it took and a check that nothing happened twice.
"""

from __future__ import annotations

import tempfile
import time
from typing import Any

from benchmarks.config import embedded_config
from benchmarks.tally import open_outbox_items, tally_cin7

BULK_ORDERS = 1000
WRITEBACK_DEADLINE_S = 300


def bulk_dispatch() -> dict[str, Any]:
    """Sync the sandbox, take 1,000 open orders, ship them in one bulk run, and write them back."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from printers.testing import ZebraListener
    from station import create_app
    from station.cin7.jobs import run_order_sync
    from station.cin7.sandbox import (
        DEMO_API_KEY,
        DEMO_USERNAME,
        Limits,
        SandboxState,
        create_sandbox,
        serve_sandbox,
    )
    from station.dispatch.bulk import start_bulk
    from station.dispatch.checks import ShipRules, Verdict, verdict_clause
    from station.dispatch.jobs import run_bulk_dispatch, run_outbox
    from station.dispatch.options import DispatchOptions, FreightPush, save_options
    from station.extensions import db
    from station.jobs import jobs
    from station.models import Consignment, Printer, SalesOrder
    from station.settings import settings_store

    state = SandboxState()
    state.add_orders(BULK_ORDERS * 5 // 4)  # some are already dispatched or void
    listener = ZebraListener().start()
    with (
        serve_sandbox(create_sandbox(state, limits=Limits())) as server,
        tempfile.TemporaryDirectory() as folder,
    ):
        app = create_app(
            embedded_config(
                folder,
                CIN7_BASE_URL=server.base_url,
                CIN7_USERNAME=DEMO_USERNAME,
                CIN7_API_KEY=DEMO_API_KEY,
            )
        )
        with app.app_context():
            upgrade()
            save_options(
                settings_store(db.session),
                DispatchOptions(
                    send_back_ticket=True,
                    block_batch_serial=False,
                    freight_push=FreightPush.COST,
                ),
            )
            printer = Printer(
                name="Zebra",
                bench="Bulk",
                spec={
                    "format": "zpl",
                    "transport": "tcp9100",
                    "host": "127.0.0.1",
                    "port": listener.port,
                    "check_status": False,
                },
            )
            db.session.add(printer)
            db.session.commit()
            printer_id = printer.id
            run_order_sync(trigger="bench")
            sync_calls = len(state.api_calls())
            order_ids = list(
                db.session.scalars(
                    select(SalesOrder.id)
                    .where(  # what the order list shows as ready to ship
                        verdict_clause(Verdict.READY, ShipRules(block_batch_serial=False))
                    )
                    .order_by(SalesOrder.id)
                    .limit(BULK_ORDERS)
                )
            )
            run = start_bulk(
                None,  # a run nobody started by hand: no actor
                order_ids,
                printer=db.session.get(Printer, printer_id),
                service="ownlabel:EC",
                weight_grams=1200,
                preset=None,
                cost_centre_id=None,
            )
            run_id = run.id

            started = time.perf_counter()
            run_bulk_dispatch(run_id, print_labels=jobs().print_queue, deliver=lambda: None)
            shipped_s = time.perf_counter() - started
            finished = db.session.get(type(run), run_id)
            shipped = finished.shipped if finished else 0
            refused = finished.failures if finished else []
            listener.wait_for_jobs(shipped, timeout=60)
            labelled_s = time.perf_counter() - started

            writeback_started = time.perf_counter()
            first_call = time.time()
            passes = 0
            while open_outbox_items(db.session) and (
                time.perf_counter() - writeback_started < WRITEBACK_DEADLINE_S
            ):
                result = run_outbox()
                passes += 1
                if not result or not result["calls"]:
                    time.sleep(0.5)  # items waiting on a backoff
            total_s = time.perf_counter() - started
            writeback_s = time.perf_counter() - writeback_started

            consignments = db.session.scalar(select(func.count()).select_from(Consignment))
            left = open_outbox_items(db.session)
        with app.app_context():
            db.engine.dispose()
    listener_jobs = len(listener.jobs)
    listener.stop()

    calls = state.api_calls(since=first_call)
    tally = tally_cin7(calls)
    return {
        "orders": len(order_ids),
        "shipped": shipped,
        "refused": len(refused),
        "refusals_first": [str(f["reason"]) for f in refused[:3]],
        "sync_cin7_calls": sync_calls,
        "ship_seconds": round(shipped_s, 2),
        "shipped_per_minute": round(shipped / shipped_s * 60, 1) if shipped_s else None,
        "labels_received_seconds": round(labelled_s, 2),
        "writeback_seconds": round(writeback_s, 2),
        "writeback_passes": passes,
        "end_to_end_orders_per_minute": round(shipped / total_s * 60, 1) if total_s else None,
        "writeback_cin7_calls": tally.calls,
        "cin7_calls_per_order": round(tally.calls / shipped, 4) if shipped else None,
        "throttled_429": tally.throttled_429,
        "busiest_second": tally.busiest_second,
        "busiest_minute": tally.busiest_minute,
        "outbox_items_left": left,
        "consignments": consignments,
        "labels_received": listener_jobs,
        "orders_dispatched_in_cin7": len(tally.dispatched),
        "duplicates": ((consignments or 0) - shipped + (listener_jobs - shipped) + tally.repeats),
    }
