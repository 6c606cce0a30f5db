"""Benches over HTTP: scan → Enter → label bytes at each bench's TCP printer, 1 and 8 at once.

The embedded default (SQLite, one process, jobs run inline so the label is sent within
the Enter request) served by a threaded WSGI server on loopback; each bench is a thread
with its own HTTP session and its own Zebra listener, and ships its own orders.
"""

from __future__ import annotations

import re
import tempfile
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bench.stats import percentiles

ORDERS_PER_BENCH = 25
KEY = re.compile(r'name="key" value="([^"]+)"')


def bench_dispatch() -> dict[str, Any]:
    """One bench, then eight benches at once, each shipping ``ORDERS_PER_BENCH`` orders."""
    return {"1_bench": _run(benches=1), "8_benches": _run(benches=8)}


def _run(*, benches: int) -> dict[str, Any]:
    import httpx
    from flask_migrate import upgrade
    from sqlalchemy import func, select
    from werkzeug.serving import make_server

    from printers.testing import ZebraListener
    from station import create_app
    from station.accounts import create_user
    from station.extensions import db
    from station.models import Consignment, OrderLine, Printer, PrintJob, Role, SalesOrder

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "INSTANCE_PATH": folder,
                "DATABASE_URL": f"sqlite:///{folder}/bench.db",
                "WTF_CSRF_ENABLED": False,
                "JOBS_IMMEDIATE": True,
                "LOG_LEVEL": "WARNING",
            }
        )
        listeners = [ZebraListener().start() for _ in range(benches)]
        with app.app_context():
            upgrade()
            now = datetime.now(UTC)
            for n, listener in enumerate(listeners):
                create_user(db.session, f"packer{n}", "bench password", role=Role.PACKER)
                db.session.add(
                    Printer(
                        name=f"Zebra {n}",
                        bench=f"Bench {n}",
                        spec={
                            "format": "zpl",
                            "transport": "tcp9100",
                            "host": "127.0.0.1",
                            "port": listener.port,
                            "check_status": False,
                        },
                    )
                )
                for i in range(ORDERS_PER_BENCH):
                    db.session.add(
                        SalesOrder(
                            cin7_id=100_000 + n * 1000 + i,
                            reference=f"SO-{n}-{i}",
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
            db.session.commit()
            printer_ids = [p.id for p in db.session.scalars(select(Printer).order_by(Printer.id))]
        server = make_server("127.0.0.1", 0, app, threaded=True)
        serve = threading.Thread(target=server.serve_forever, daemon=True)
        serve.start()
        base = f"http://127.0.0.1:{server.server_port}"
        timings: list[float] = []
        errors: list[str] = []
        lock = threading.Lock()
        start = threading.Barrier(benches)

        def bench(n: int) -> None:
            with httpx.Client(base_url=base, timeout=60) as http:
                http.post("/login", data={"username": f"packer{n}", "password": "bench password"})
                http.post("/bench/printer", data={"printer_id": printer_ids[n]})
                start.wait()
                for i in range(ORDERS_PER_BENCH):
                    began = time.perf_counter()
                    page = http.post("/bench/scan", data={"scan": f"SO-{n}-{i}"}).text
                    match = KEY.search(page)
                    order_id = re.search(r'name="order_id" value="(\d+)"', page)
                    if not match or not order_id:
                        errors.append(f"scan SO-{n}-{i}: no ship form")
                        continue
                    shipped = http.post(
                        "/bench/ship",
                        data={
                            "order_id": order_id.group(1),
                            "key": match.group(1),
                            "weight": "1.2",
                            "service": "ownlabel:ON",
                        },
                    )
                    listeners[n].wait_for_jobs(i + 1, timeout=30)
                    took = (time.perf_counter() - began) * 1000
                    with lock:
                        if shipped.status_code != 200:
                            errors.append(f"ship SO-{n}-{i}: HTTP {shipped.status_code}")
                        timings.append(took)

        threads = [threading.Thread(target=bench, args=(n,)) for n in range(benches)]
        wall = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - wall
        server.shutdown()
        with app.app_context():
            consignments = db.session.scalar(select(func.count()).select_from(Consignment))
            jobs = db.session.scalar(select(func.count()).select_from(PrintJob))
        received = sum(len(listener.jobs) for listener in listeners)
        for listener in listeners:
            listener.stop()
        db_engine_dispose(app)
    orders = benches * ORDERS_PER_BENCH
    return {
        "benches": benches,
        "orders": orders,
        "scan_to_label_bytes": percentiles(timings),
        "orders_per_minute": round(orders / wall * 60, 1),
        "consignments": consignments,
        "print_jobs": jobs,
        "labels_received": received,
        "duplicates": (consignments or 0) - orders + (received - orders),
        "errors": errors[:5],
    }


def db_engine_dispose(app: Any) -> None:
    from station.extensions import db

    with app.app_context():
        db.engine.dispose()
