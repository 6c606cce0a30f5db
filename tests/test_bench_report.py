"""The benchmark's report pieces: round names, paced start times, the side-by-side table."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks.comparison import compare, comparison_markdown
from benchmarks.driver import PACE_JITTER, Round, start_times


def test_rounds_are_named_by_benches_and_pace() -> None:
    assert Round(1, 5).name == "1_bench"
    assert Round(8, 5).name == "8_benches"
    assert Round(8, 5, pace_s=3).name == "8_benches_paced_3s"
    assert Round(2, 5, pace_s=0.5).name == "2_benches_paced_0.5s"


def test_a_flat_out_bench_starts_every_order_at_once() -> None:
    assert start_times(100.0, 3, 0.0, seed=1) == [100.0, 100.0, 100.0]


def test_a_paced_bench_starts_orders_about_pace_apart_from_a_random_offset() -> None:
    starts = start_times(100.0, 50, 2.0, seed=4)

    assert 100.0 <= starts[0] < 102.0
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    assert all(2.0 * (1 - PACE_JITTER) <= gap <= 2.0 * (1 + PACE_JITTER) for gap in gaps)
    assert sum(gaps) / len(gaps) == pytest.approx(2.0, rel=0.1)
    assert start_times(100.0, 50, 2.0, seed=4) == starts  # seeded: runs compare
    assert start_times(100.0, 50, 2.0, seed=5) != starts  # benches do not march in step


def _bench(p95: float) -> dict[str, Any]:
    return {
        "scan_to_label_bytes": {"p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95 * 1.2},
        "orders_per_minute": 100.0,
        "failed_orders": 0,
        "http_5xx": 0,
    }


def test_the_comparison_gives_the_p95_ratio_flat_out_and_paced() -> None:
    scenarios = {
        "bench_dispatch": {
            "1_bench": _bench(50),
            "8_benches": _bench(400),
            "8_benches_paced_3s": _bench(100),
        },
        "scale_out": {
            "1_bench": _bench(60),
            "8_benches": _bench(300),
            "8_benches_paced_3s": _bench(150),
            "32_benches": _bench(900),
            "cin7": {"calls_per_order": 0.2},
            "peak_rss_mb": {"gunicorn_master": 24.0},
        },
        "bulk_dispatch": {"cin7_calls_per_order": 0.01},
    }

    comparison = compare(scenarios)

    assert comparison is not None
    assert comparison["p95_ratio_scale_out_to_embedded_8_benches"] == 0.75
    assert comparison["p95_ratio_scale_out_to_embedded_8_benches_paced"] == 1.5
    assert comparison["rounds"]["32_benches"]["embedded"] is None
    table = "\n".join(comparison_markdown(comparison))
    assert "| 8 paced | PostgreSQL + Redis (gunicorn x4, 2 job workers) | 75.0 | 150 |" in table
    assert "| 32 | embedded (SQLite, one process, jobs inline) | not run |" in table


def test_no_comparison_without_both_setups() -> None:
    assert compare({"bench_dispatch": {"1_bench": _bench(50)}}) is None
    assert compare({"bench_dispatch": {}, "scale_out": {"skipped": "no Redis"}}) is None


def test_the_cpu_table_says_the_sign_ins_were_not_counted_per_order() -> None:
    whole = {"web": 30.0, "workers": 5.0, "postgres": 6.0, "redis": 0.5, "total": 41.5}
    scenarios = {
        "bench_dispatch": {"1_bench": _bench(50)},
        "scale_out": {
            "1_bench": _bench(60),
            "cin7": {"calls_per_order": 0.2},
            "peak_rss_mb": {"gunicorn_master": 24.0},
            "cpu_per_order_ms": {"rounds": {"1_bench": whole}, "whole_run": whole},
            "sign_in": {"benches": 32, "cpu_ms_each": 41.2},
        },
    }

    comparison = compare(scenarios)

    assert comparison is not None
    table = "\n".join(comparison_markdown(comparison))
    assert "| whole run, with the Cin7 write-backs | 30.0 | 5.0 | 6.0 | 0.5 | 41.5 |" in table
    assert "Each of the 32 benches signed in once before the rounds" in table
    assert "41.2 ms of CPU each" in table
