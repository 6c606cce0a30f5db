"""A manager's 20,000-order CSV import on the embedded default while the floor works.

Station on SQLite behind a threaded WSGI server on loopback, jobs inline (the import runs
in the server's process, as the embedded default's in-process worker does). The manager
uploads the file; once its first batch is stored, a packer scans and a shop posts orders
over HTTP, each every ``PACE_S`` seconds, until the import ends: the latency of both
(p50/p95/p99, max), HTTP 5xx, and the import's seconds.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from benchmarks.config import embedded_config
from benchmarks.stats import percentiles

ORDERS = 20_000
PACE_S = 0.25  # a scan and a post every quarter second: far busier than a floor
MAX_REQUESTS = 400  # each kind, whatever the import's length
DEADLINE_S = 600.0
PASSWORD = "bench password"


def orders_csv(count: int) -> bytes:
    """``count`` one-line orders in the import's CSV shape."""
    header = (
        "order_id,order_number,email,first_name,last_name,address1,city,postcode,country,"
        "sku,name,quantity,unit_price"
    )
    rows = [
        f"C{n},#C{n},kiri@example.nz,Kiri,Hona,1 Rata Road,Nelson,7010,New Zealand,"
        "MUG-SAND,Stoneware Mug,2,24.00"
        for n in range(count)
    ]
    return ("\n".join([header, *rows]) + "\n").encode()


def import_while_packing() -> dict[str, Any]:
    """Bench scans and API posts during a 20,000-order import on SQLite."""
    import httpx
    from flask_migrate import upgrade
    from sqlalchemy import func, select
    from werkzeug.serving import make_server

    from station import create_app
    from station.accounts import create_user
    from station.extensions import db
    from station.inbox.tokens import create_token
    from station.models import InboxOrder, OrderLine, Role, SalesOrder

    with tempfile.TemporaryDirectory() as folder:
        app = create_app(embedded_config(folder, WTF_CSRF_ENABLED=False))
        with app.app_context():
            upgrade()
            create_user(db.session, "manager", PASSWORD, role=Role.MANAGER)
            create_user(db.session, "packer", PASSWORD, role=Role.PACKER)
            db.session.add(
                SalesOrder(
                    cin7_id=100_001,
                    reference="SO-1",
                    stage="New",
                    delivery_first_name="Aroha",
                    delivery_address1="1 Cuba Street",
                    delivery_city="Wellington",
                    delivery_postal_code="6011",
                    delivery_country="New Zealand",
                    cin7_modified=datetime.now(UTC),
                    lines=[OrderLine(position=1, code="TEE", name="Tee", qty=Decimal(1))],
                )
            )
            token = create_token(db.session, name="Web shop", shop="web").token
            db.session.commit()

        def stored() -> int:
            with app.app_context():
                count = db.session.scalar(
                    select(func.count()).select_from(InboxOrder).where(InboxOrder.shop == "bulk")
                )
                db.session.remove()
                return count or 0

        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request
        server = make_server("127.0.0.1", 0, app, threaded=True)
        serve = threading.Thread(target=server.serve_forever, daemon=True)
        serve.start()
        base = f"http://127.0.0.1:{server.server_port}"
        manager = httpx.Client(base_url=base, timeout=DEADLINE_S)
        packer = httpx.Client(base_url=base, timeout=60.0)
        shop = httpx.Client(
            base_url=base, timeout=60.0, headers={"Authorization": f"Bearer {token}"}
        )
        outcome: dict[str, Any] = {}
        try:
            manager.post("/login", data={"username": "manager", "password": PASSWORD})
            packer.post("/login", data={"username": "packer", "password": PASSWORD})
            data = orders_csv(ORDERS)

            def run_import() -> None:
                began = time.perf_counter()
                response = manager.post(
                    "/inbox/import",
                    data={"shop": "bulk"},
                    files={"csv_file": ("orders.csv", data, "text/csv")},
                )
                outcome["status"] = response.status_code
                outcome["seconds"] = round(time.perf_counter() - began, 1)

            importer = threading.Thread(target=run_import)
            importer.start()
            stop_at = time.perf_counter() + DEADLINE_S
            while not stored() and importer.is_alive() and time.perf_counter() < stop_at:
                time.sleep(0.05)
            scans: list[float] = []
            posts: list[float] = []
            statuses: list[int] = []
            n = 0
            while importer.is_alive() and n < MAX_REQUESTS and time.perf_counter() < stop_at:
                next_at = time.perf_counter() + PACE_S
                for times, send in (
                    (scans, lambda: packer.post("/bench/scan", data={"scan": "SO-1"})),
                    (posts, lambda n=n: shop.post("/api/v1/orders", json=_order(n))),
                ):
                    began = time.perf_counter()
                    statuses.append(send().status_code)
                    times.append((time.perf_counter() - began) * 1000)
                n += 1
                time.sleep(max(0.0, next_at - time.perf_counter()))
            importer.join(timeout=DEADLINE_S)
        finally:
            server.shutdown()
            for client in (manager, packer, shop):
                client.close()
        imported = stored()
        with app.app_context():
            db.engine.dispose()
    return {
        "orders": ORDERS,
        "orders_imported": imported,
        "import_http_status": outcome.get("status"),
        "import_seconds": outcome.get("seconds"),
        "bench_scan": {**percentiles(scans), "max_ms": round(max(scans, default=0), 3)},
        "api_post": {**percentiles(posts), "max_ms": round(max(posts, default=0), 3)},
        "http_5xx": sum(1 for status in statuses if status >= 500),
        "answers_over_1s": sum(1 for ms in scans + posts if ms > 1000),
    }


def _order(n: int) -> dict[str, Any]:
    return {
        "id": f"W{n}",
        "order_number": f"#W{n}",
        "email": "aroha@example.co.nz",
        "shipping_address": {
            "first_name": "Aroha",
            "last_name": "Ngata",
            "address1": "12 Tui Street",
            "city": "Wellington",
            "postcode": "6011",
            "country": "New Zealand",
        },
        "lines": [{"sku": "MUG-SAND", "name": "Stoneware Mug", "quantity": 1, "unit_price": "24"}],
    }
