"""The embedded default beside the scale-out setup, for report.json and a table in report.md.

The embedded figures are ``bench_dispatch``'s (SQLite, one process, jobs inline); the
scale-out ones are ``scale_out``'s (PostgreSQL + Redis, gunicorn, two job workers). Cin7
calls per order on the embedded default come from ``bulk_dispatch`` (its bench run has no
Cin7), so they are labelled as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from benchmarks.driver import LABEL_TIMEOUT_S, PACKER_PACE_S, Round

EIGHT_FLAT_OUT = Round(8, 0).name
EIGHT_PACED = Round(8, 0, pace_s=PACKER_PACE_S).name
EMBEDDED = "embedded (SQLite, one process, jobs inline)"
SCALED = "PostgreSQL + Redis (gunicorn x4, 2 job workers)"


def compare(scenarios: Mapping[str, Any]) -> dict[str, Any] | None:
    """Both setups' bench figures side by side; None unless both scenarios ran."""
    embedded, scaled = scenarios.get("bench_dispatch"), scenarios.get("scale_out")
    if not embedded or not scaled or "skipped" in scaled:
        return None
    rounds = {
        name: {"embedded": _latency(embedded.get(name)), "scale_out": _latency(scaled.get(name))}
        for name in _round_names(embedded, scaled)
    }
    bulk = scenarios.get("bulk_dispatch") or {}
    return {
        "rounds": rounds,
        "p95_ratio_scale_out_to_embedded_8_benches": _p95_ratio(rounds.get(EIGHT_FLAT_OUT)),
        "p95_ratio_scale_out_to_embedded_8_benches_paced": _p95_ratio(rounds.get(EIGHT_PACED)),
        "cin7_calls_per_order": {
            "scale_out_benches": scaled["cin7"]["calls_per_order"],
            "embedded_bulk_dispatch": bulk.get("cin7_calls_per_order"),
        },
        "scale_out_peak_rss_mb": scaled["peak_rss_mb"],
        "scale_out_cpu_per_order_ms": scaled.get("cpu_per_order_ms"),
        "scale_out_sign_in": scaled.get("sign_in"),
    }


def comparison_markdown(comparison: Mapping[str, Any]) -> list[str]:
    """The comparison as report.md lines: latency and throughput, Cin7 calls, peak RSS."""
    lines = [
        "## Embedded default vs PostgreSQL + Redis",
        "",
        "Scan → Enter → label bytes at the bench's TCP listener. Percentiles are over the orders",
        f"whose label came within {LABEL_TIMEOUT_S:g} s; the others are counted as late or failed.",
        "",
        "| benches | setup | p50 ms | p95 ms | p99 ms | orders/min | late or failed | HTTP 5xx |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, setups in comparison["rounds"].items():
        benches = name.split("_")[0] + (" paced" if "paced" in name else "")
        for key, label in (("embedded", EMBEDDED), ("scale_out", SCALED)):
            row = setups[key]
            if row is None:
                lines.append(f"| {benches} | {label} | not run | | | | | |")
                continue
            lines.append(
                f"| {benches} | {label} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} "
                f"| {row['orders_per_minute']} | {row['failed_orders']} | {row['http_5xx']} |"
            )
    calls = comparison["cin7_calls_per_order"]
    lines += [
        "",
        "p95 at 8 benches, PostgreSQL + Redis / embedded: "
        f"**{comparison['p95_ratio_scale_out_to_embedded_8_benches']}** flat out, "
        f"**{comparison['p95_ratio_scale_out_to_embedded_8_benches_paced']}** paced "
        f"(each bench starts an order every {PACKER_PACE_S:g} s on average).",
        "",
        f"Cin7 calls per order: {calls['scale_out_benches']} with PostgreSQL + Redis "
        f"(a delivery pass OUTBOX_DELAY after each Enter); {calls['embedded_bulk_dispatch']} embedded "
        "(bulk_dispatch: one bulk run, batched).",
        "",
        "| process (PostgreSQL + Redis) | peak RSS MB |",
        "|---|---|",
        *(f"| {name} | {mb} |" for name, mb in comparison["scale_out_peak_rss_mb"].items()),
        "",
        "The embedded default runs inside the benchmark process; its memory is not measured apart.",
        "",
        *_cpu_lines(
            comparison.get("scale_out_cpu_per_order_ms"), comparison.get("scale_out_sign_in")
        ),
    ]
    return lines


def _cpu_lines(cpu: Mapping[str, Any] | None, sign_in: Mapping[str, Any] | None) -> list[str]:
    """CPU milliseconds per shipped order by process group, each round and the whole run."""
    if not cpu:
        return []
    groups = ("web", "workers", "postgres", "redis", "total")
    rows = [*cpu["rounds"].items(), ("whole run, with the Cin7 write-backs", cpu["whole_run"])]
    return [
        "CPU per shipped order, PostgreSQL + Redis (ms, from /proc: gunicorn, `station worker`,",
        "PostgreSQL and Redis with their children; the sandbox and the bench drivers left out):",
        "",
        "| round | " + " | ".join(groups) + " |",
        "|---|" + "---|" * len(groups),
        *(
            f"| {name} | " + " | ".join(str(row.get(g)) for g in groups) + " |"
            for name, row in rows
        ),
        "",
        *(
            [
                f"Each of the {sign_in['benches']} benches signed in once before the rounds, as at a "
                f"shift's start: {sign_in['cpu_ms_each']} ms of CPU each (the password check), "
                "not counted above.",
                "",
            ]
            if sign_in
            else []
        ),
    ]


def _round_names(*scenarios: Mapping[str, Any]) -> list[str]:
    """The bench rounds either setup ran, fewest benches first, flat out before paced."""
    names = {
        name
        for figures in scenarios
        for name, value in figures.items()
        if isinstance(value, Mapping) and "scan_to_label_bytes" in value
    }
    return sorted(names, key=lambda name: (int(name.split("_")[0]), "paced" in name, name))


def _p95_ratio(setups: Mapping[str, Any] | None) -> float | None:
    """PostgreSQL + Redis p95 over the embedded p95 for one round, when both ran."""
    if not setups or not setups["embedded"] or not setups["scale_out"]:
        return None
    embedded = setups["embedded"]["p95_ms"]
    return round(setups["scale_out"]["p95_ms"] / embedded, 2) if embedded else None


def _latency(figures: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not figures:
        return None
    latency = figures["scan_to_label_bytes"]
    return {
        "p50_ms": latency["p50_ms"],
        "p95_ms": latency["p95_ms"],
        "p99_ms": latency["p99_ms"],
        "orders_per_minute": figures["orders_per_minute"],
        "failed_orders": figures.get("failed_orders"),
        "http_5xx": figures.get("http_5xx"),
    }
