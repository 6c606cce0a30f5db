"""Server time of the order list, the bench page and reports with 50,000 orders.

The same scenario runs on the embedded default (SQLite) and on PostgreSQL (a throwaway
database, as the scale-out bench uses), so a search or filter that is fast on one and
slow on the other shows up in the report.
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from benchmarks.services import ServiceMissing, fresh_postgres, require_postgres
from benchmarks.stats import percentiles

LIST_ORDERS = 50_000
LIST_REQUESTS = 150  # per page: enough for a p95 (the 8th slowest), and make bench ≤ 6 min
REPORT_REQUESTS = 30  # the reports page is a manager's, opened now and then
PAGES = {
    "first_page": "/orders",
    "page_100": "/orders?page=100",
    "search": "/orders?q=Number4242",
    "filtered": "/orders?stage=New&blocked=no",
    "htmx_search": "/orders?q=SO-77",
    "bench_page": "/bench",
    "reports": "/reports",
    "reports_blocked_page_20": "/reports?blocked_page=20",
}


def order_list_50000() -> dict[str, Any]:
    """The list scenario on SQLite, the embedded default."""
    with tempfile.TemporaryDirectory() as folder:
        return _order_list(folder, f"sqlite:///{folder}/bench.db")


def order_list_50000_postgres() -> dict[str, Any]:
    """The list scenario on PostgreSQL; skipped when PostgreSQL cannot be reached."""
    try:
        require_postgres()
    except ServiceMissing as exc:
        return {"skipped": str(exc)}
    with tempfile.TemporaryDirectory() as folder, fresh_postgres() as url:
        figures = _order_list(folder, url)
    return figures


def _order_list(folder: str, database_url: str) -> dict[str, Any]:
    """Load 50,000 orders into ``database_url`` and time each page of ``PAGES``.

    One order in 40 is void and one in 97 has no city, so the reports page has about
    1,750 blocked orders to count and page through.
    """
    from flask_migrate import upgrade

    from station import create_app
    from station.extensions import db

    app = create_app(
        {
            "INSTANCE_PATH": folder,
            "DATABASE_URL": database_url,
            "WTF_CSRF_ENABLED": False,
            "JOBS_IMMEDIATE": True,
            "LOG_LEVEL": "WARNING",
        }
    )
    with app.app_context():
        upgrade()
        _load_orders()
        if db.engine.dialect.name == "postgresql":
            with db.engine.connect() as conn:  # fresh statistics, as autovacuum would give
                conn.exec_driver_sql("ANALYZE")
                conn.commit()
    client = app.test_client()
    client.post("/login", data={"username": "bench", "password": "bench-password"})
    started = time.perf_counter()
    first = client.get("/bench")
    results: dict[str, Any] = {
        "bench_first_render_ms": round((time.perf_counter() - started) * 1000, 3)
    }
    assert first.status_code == 200, first.status_code
    for name, url in PAGES.items():
        samples = []
        headers = {"HX-Request": "true"} if name.startswith("htmx") else {}
        for _ in range(REPORT_REQUESTS if name.startswith("reports") else LIST_REQUESTS):
            started = time.perf_counter()
            response = client.get(url, headers=headers)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        results[name] = percentiles(samples)
    with app.app_context():
        db.engine.dispose()  # let the throwaway database be dropped
    return {
        "orders": LIST_ORDERS,
        "requests_each": LIST_REQUESTS,
        "report_requests_each": REPORT_REQUESTS,
        **results,
    }


def _load_orders() -> None:
    from sqlalchemy import insert

    from station.accounts import create_user
    from station.extensions import db
    from station.models import OrderLine, Role, SalesOrder
    from station.models.order import search_text_of

    now = datetime.now(UTC)
    rows = [
        {
            "id": i,
            "cin7_id": i,
            "reference": f"SO-{i}",
            "stage": "New",
            "is_approved": True,
            "is_void": i % 40 == 0,
            "first_name": "Customer",
            "last_name": f"Number{i}",
            "email": f"c{i}@example.com",
            "delivery_address1": f"{i % 300 + 1} Queen Street",
            "delivery_city": "" if i % 97 == 0 else "Auckland",
            "delivery_postal_code": f"{1000 + i % 9000}",
            "delivery_country": "NZ",
            "cin7_modified": now - timedelta(seconds=i),
            "synced_at": now,
            "line_count": 1 + i % 5,
        }
        for i in range(1, LIST_ORDERS + 1)
    ]
    for row in rows:  # a bulk insert skips the ORM event that keeps it
        row["search_text"] = search_text_of(row)
    db.session.execute(insert(SalesOrder), rows)
    db.session.execute(
        insert(OrderLine),
        [
            {"order_id": i, "position": 1, "code": "TEE", "qty": 1}
            for i in range(1, LIST_ORDERS + 1)
        ],
    )
    if db.engine.dialect.name == "postgresql":  # explicit ids leave the sequence behind
        db.session.execute(
            db.text("SELECT setval(pg_get_serial_sequence('sales_order', 'id'), :n)"),
            {"n": LIST_ORDERS},
        )
    create_user(db.session, "bench", "bench-password", role=Role.MANAGER)
    db.session.commit()
