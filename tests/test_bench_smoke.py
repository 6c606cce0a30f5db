"""``make bench``'s scale-out scenario at tiny counts: every process starts, each order ships once."""

from __future__ import annotations

import pytest

from benchmarks.driver import Round
from benchmarks.scaleout import GUNICORN_WORKERS, run_scale_out
from tests.conftest import service_missing


@pytest.mark.slow
def test_scale_out_ships_each_order_once_and_reports_every_figure() -> None:
    figures = run_scale_out([Round(1, 2), Round(2, 2), Round(2, 2, pace_s=0.5)])
    if "skipped" in figures:
        service_missing("PostgreSQL or Redis", figures["skipped"])

    assert set(figures) == {
        "setup",
        "sign_in",
        "1_bench",
        "2_benches",
        "2_benches_paced_0.5s",
        "writeback",
        "peak_rss_mb",
        "cpu_per_order_ms",
        "cin7",
        "correctness",
    }
    for name, benches in (("1_bench", 1), ("2_benches", 2), ("2_benches_paced_0.5s", 2)):
        shipped = figures[name]
        assert (shipped["benches"], shipped["orders"]) == (benches, benches * 2)
        assert shipped["scan_to_label_bytes"]["count"] == benches * 2, shipped["errors"]
        assert shipped["scan_to_label_bytes"]["p99_ms"] > 0
        assert (shipped["http_5xx"], shipped["failed_orders"], shipped["not_started"]) == (0, 0, 0)
    assert figures["correctness"] == {
        "orders": 10,
        "orders_shipped": 10,
        "consignments": 10,
        "print_jobs": 10,
        "labels_received": 10,
        "orders_dispatched_in_cin7": 10,
        "orders_freight_pushed": 10,
        "not_dispatched_in_cin7": 0,
        "outbox_items_failed": 0,
        "duplicates": 0,
    }
    assert figures["writeback"]["outbox_items_left"] == 0
    cin7 = figures["cin7"]
    assert cin7["writeback_calls"] > 0 and cin7["sync_calls"] > 0
    assert cin7["calls_per_order"] == round(cin7["writeback_calls"] / 10, 3)
    assert figures["2_benches_paced_0.5s"]["pace_s"] == 0.5
    assert {"throttled_429", "busiest_second", "busiest_minute"} <= set(cin7)
    peaks = figures["peak_rss_mb"]
    workers = [name for name in peaks if name.startswith("gunicorn_worker_")]
    assert len(workers) == GUNICORN_WORKERS
    for name in (
        *workers,
        "gunicorn_master",
        "station_worker_1",
        "station_worker_2",
        "cin7_sandbox",
    ):
        assert peaks[name] > 0, name
    assert peaks["gunicorn_max_per_worker"] == max(peaks[name] for name in workers)
    # Each bench signed in once, before the rounds: the password check is not an order's.
    assert figures["sign_in"]["benches"] == 2 and figures["sign_in"]["cpu_ms_each"] > 0
    cpu = figures["cpu_per_order_ms"]
    assert set(cpu["rounds"]) == {"1_bench", "2_benches", "2_benches_paced_0.5s"}
    whole = cpu["whole_run"]
    assert whole["web"] > 0 and whole["postgres"] > 0 and whole["workers"] > 0
    assert whole["total"] == pytest.approx(
        sum(whole[g] for g in ("web", "workers", "postgres", "redis")), abs=0.5
    )


@pytest.mark.slow
def test_the_bulk_scenario_ships_and_writes_back_a_small_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The bulk scenario drives the same services the pages do, so a changed signature
    breaks this test rather than the next ``make bench``."""
    from benchmarks import bulk

    monkeypatch.setattr(bulk, "BULK_ORDERS", 8)

    figures = bulk.bulk_dispatch()

    assert 0 < figures["orders"] <= 8  # the shippable ones of the sandbox's ten
    assert figures["shipped"] + figures["refused"] == figures["orders"]
    assert figures["shipped"] > 0
    assert figures["outbox_items_left"] == 0
