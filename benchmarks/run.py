"""``make bench``: run the benchmark scenarios and write benchmarks/report.json and report.md."""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
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
from benchmarks.orderlist import order_list_50000, order_list_50000_postgres
from benchmarks.scaleout import scale_out
from benchmarks.statements import sql_per_order

SYNC_ORDERS = 5_000


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


SCENARIOS = {
    "sync_5000": sync_5000,
    "order_list_50000": order_list_50000,
    "order_list_50000_postgres": order_list_50000_postgres,
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
