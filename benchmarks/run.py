"""``make bench``: run the benchmark scenarios and write benchmarks/report.json and report.md."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from benchmarks.benches import bench_dispatch, bench_parcels
from benchmarks.bulk import bulk_dispatch
from benchmarks.comparison import compare, comparison_markdown
from benchmarks.imports import import_while_packing
from benchmarks.karrio_bridge import consignment_label_bytes
from benchmarks.labels import consignment_to_tcp_printer, label_rendering, queue_to_tcp_printer
from benchmarks.scaleout import scale_out
from benchmarks.statements import sql_per_order
from benchmarks.stats import percentiles

SYNC_ORDERS = 5_000
LIST_ORDERS = 50_000
LIST_REQUESTS = 300
REPORT_REQUESTS = 30  # the reports page is a manager's, opened now and then


def sync_5000() -> dict[str, Any]:
    """A first sync of 5,000 sandbox orders, in a child process so its peak RSS is its own."""
    from station.cin7.sandbox import (
        DEMO_API_KEY,
        DEMO_USERNAME,
        Limits,
        SandboxState,
        create_sandbox,
        serve_sandbox,
    )

    state = SandboxState()
    state.add_orders(SYNC_ORDERS, start=datetime.now(UTC) - timedelta(days=20))
    with serve_sandbox(create_sandbox(state, limits=Limits())) as server:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "benchmarks.sync_child",
                server.base_url,
                DEMO_USERNAME,
                DEMO_API_KEY,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        out, _ = proc.communicate(timeout=300)
        wall = time.perf_counter() - started
        requests = state.api_calls()
    if proc.returncode != 0:
        raise SystemExit(f"sync child failed with {proc.returncode}")
    result = json.loads(out.strip().splitlines()[-1])
    return {
        "orders": SYNC_ORDERS,
        "cin7_calls": len(requests),
        "sales_order_list_calls": sum(1 for r in requests if r.path.endswith("/v1/SalesOrders")),
        "throttled_429": sum(1 for r in requests if r.status == 429),
        "orders_created": result["orders_created"],
        "sync_seconds": result["seconds"],
        "process_seconds": round(wall, 3),
        "peak_rss_mb": result["peak_rss_mb"],
    }


def order_list_50000() -> dict[str, Any]:
    """Server time of the order list, the bench page and reports with 50,000 orders in SQLite.

    One order in 40 is void and one in 97 has no city, so the reports page has about
    1,750 blocked orders to count and page through.
    """
    from flask_migrate import upgrade
    from sqlalchemy import insert

    from station import create_app
    from station.accounts import create_user
    from station.extensions import db
    from station.models import OrderLine, Role, SalesOrder
    from station.models.order import search_text_of

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
        now = datetime.now(UTC)
        with app.app_context():
            upgrade()
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
            create_user(db.session, "bench", "bench-password", role=Role.MANAGER)
            db.session.commit()
        client = app.test_client()
        client.post("/login", data={"username": "bench", "password": "bench-password"})
        started = time.perf_counter()
        first = client.get("/bench")
        results: dict[str, Any] = {
            "bench_first_render_ms": round((time.perf_counter() - started) * 1000, 3)
        }
        assert first.status_code == 200, first.status_code
        for name, url in {
            "first_page": "/orders",
            "page_100": "/orders?page=100",
            "search": "/orders?q=Number4242",
            "filtered": "/orders?stage=New&blocked=no",
            "htmx_search": "/orders?q=SO-77",
            "bench_page": "/bench",
            "reports": "/reports",
            "reports_blocked_page_20": "/reports?blocked_page=20",
        }.items():
            samples = []
            headers = {"HX-Request": "true"} if name.startswith("htmx") else {}
            for _ in range(REPORT_REQUESTS if name.startswith("reports") else LIST_REQUESTS):
                started = time.perf_counter()
                response = client.get(url, headers=headers)
                samples.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
            results[name] = percentiles(samples)
        return {
            "orders": LIST_ORDERS,
            "requests_each": LIST_REQUESTS,
            "report_requests_each": REPORT_REQUESTS,
            **results,
        }


SCENARIOS = {
    "sync_5000": sync_5000,
    "order_list_50000": order_list_50000,
    "label_rendering": label_rendering,
    "queue_to_tcp_printer": queue_to_tcp_printer,
    "consignment_to_tcp_printer": consignment_to_tcp_printer,
    "consignment_label_bytes": consignment_label_bytes,
    "bench_dispatch": bench_dispatch,
    "bench_parcels": bench_parcels,
    "bulk_dispatch": bulk_dispatch,
    "import_while_packing": import_while_packing,
    "scale_out": scale_out,
    "sql_per_order": sql_per_order,
}


def main() -> None:
    """Run the scenarios named (or all) and write the reports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", default="benchmarks/report.json")
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    args = parser.parse_args()
    report: dict[str, Any] = {
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "scenarios": {},
        "load_average_at_start": {},  # the machine may be shared: read figures beside it
        "seconds": {},
    }
    for name in args.scenarios:
        print(f"running {name} ...", flush=True)
        report["load_average_at_start"][name] = [round(x, 2) for x in os.getloadavg()]
        started = time.perf_counter()
        report["scenarios"][name] = SCENARIOS[name]()
        report["seconds"][name] = round(time.perf_counter() - started, 1)
        print(f"  done in {report['seconds'][name]} s: {json.dumps(report['scenarios'][name])}")
    comparison = compare(report["scenarios"])
    if comparison is not None:
        report["comparison"] = comparison
    out = Path(args.out)
    out.write_text(json.dumps(report, indent=2) + "\n")
    out.with_suffix(".md").write_text(_markdown(report))
    print(f"wrote {out} and {out.with_suffix('.md')}")


def _markdown(report: dict[str, Any]) -> str:
    lines = [f"# Benchmark report ({report['generated_at']})", ""]
    if "comparison" in report:
        lines += comparison_markdown(report["comparison"])
    for name, figures in report["scenarios"].items():
        load = report["load_average_at_start"][name]
        lines += [
            f"## {name}",
            "",
            f"{report['seconds'][name]} s; load average at start (1, 5, 15 min): {load}",
            "",
            "| measure | value |",
            "|---|---|",
        ]
        for key, value in figures.items():
            lines.append(f"| {key} | {json.dumps(value)} |")
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
