"""Percentiles and timing for benchmark reports."""

from __future__ import annotations

import statistics
from collections.abc import Sequence


def percentiles(samples_ms: Sequence[float]) -> dict[str, float | None]:
    """p50/p95/p99, mean and count of a list of millisecond samples (None when empty)."""
    ordered = sorted(samples_ms)
    if not ordered:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "mean_ms": None}
    # quantiles() needs two points; one sample is every percentile of itself
    cuts = statistics.quantiles(
        ordered * 2 if len(ordered) == 1 else ordered, n=100, method="inclusive"
    )
    return {
        "count": len(ordered),
        "p50_ms": round(cuts[49], 3),
        "p95_ms": round(cuts[94], 3),
        "p99_ms": round(cuts[98], 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
    }
