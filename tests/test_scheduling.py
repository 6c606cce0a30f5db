"""The suite's order: long tests dealt over xdist's worksteal shares, longest first."""

from __future__ import annotations

import os

import pytest

from tests.scheduling import estimate, run_order, share_sizes


def test_a_share_is_what_worksteal_hands_each_worker_at_the_start() -> None:
    assert share_sizes(10, 3) == [3, 3, 4]
    assert share_sizes(3465, 3) == [1155, 1155, 1155]
    assert share_sizes(5, 1) == [5]


def test_long_tests_are_dealt_so_each_share_starts_with_about_the_same_time() -> None:
    times = {"kill20": 120.0, "fuzz_sqlite": 55.0, "fuzz_pg": 55.0, "trip": 45.0, "kill0": 35.0}
    shorts = [f"short{n}" for n in range(25)]
    items = [*shorts[:10], *times, *shorts[10:]]

    order = run_order(items, 3, lambda i: times.get(i, 0.1))

    sizes = share_sizes(len(items), 3)
    shares = [order[:10], order[10:20], order[20:]]
    assert [len(s) for s in shares] == sizes
    assert shares[0][:1] == ["kill20"]  # the longest alone: nothing else fits beside it
    assert sorted(shares[1][:2] + shares[2][:2]) == ["fuzz_pg", "fuzz_sqlite", "kill0", "trip"]
    loads = [sum(times.get(i, 0.0) for i in share) for share in shares]
    assert max(loads) - min(loads) <= 35.0
    assert [i for i in order if i.startswith("short")] == shorts  # the short ones keep their order
    assert sorted(order) == sorted(items)


def test_in_one_process_the_long_tests_simply_come_first() -> None:
    times = {"b": 5.0, "d": 50.0}

    assert run_order(["a", "b", "c", "d"], 1, lambda i: times.get(i, 0.1)) == ["d", "b", "a", "c"]


@pytest.mark.parametrize(
    ("nodeid", "slow", "browser", "seconds"),
    [
        (
            "tests/acceptance/test_worker_kills.py::"
            "test_killed_workers_leave_every_order_updated_once[20-postgres]",
            True,
            False,
            120.0,
        ),
        (
            "tests/acceptance/test_worker_kills.py::test_writebacks_cut_off[sqlite]",
            True,
            False,
            35.0,
        ),
        ("tests/test_warmup.py::test_gunicorn_workers_warm_up_before_serving", True, False, 6.0),
        ("tests/e2e/test_bench_flow.py::test_scan", False, True, 3.0),
        ("tests/web/test_bench.py::test_scan", False, False, 0.1),
    ],
)
def test_estimates_tell_minutes_from_seconds(
    nodeid: str, slow: bool, browser: bool, seconds: float
) -> None:
    assert estimate(nodeid, slow=slow, browser=browser) == seconds


def test_this_run_deals_every_slow_and_browser_test_before_the_short_ones_of_its_share(
    request: pytest.FixtureRequest,
) -> None:
    from tests.conftest import expected_seconds

    items = request.session.items
    assert expected_seconds(request.node) < 1.0
    # Within the run's order, each share is its long tests, longest first, then short ones.
    seconds = [expected_seconds(item) for item in items]
    workers = max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    start = 0
    for size in share_sizes(len(items), workers):
        share = seconds[start : start + size]
        long = [s for s in share if s >= 1.0]
        assert share[: len(long)] == sorted(long, reverse=True)
        start += size
