"""The order the suite runs in: its long tests dealt over the workers, longest first.

``make test`` runs ``-n 3 --dist worksteal``. xdist gives each worker a contiguous share
of the collection (the first ``n // 3`` tests, then half the rest, then the rest), and a
worker that runs out takes over the back half of the longest queue. Long tests that sit
together in one share run one after another on one worker: about 400 s of them, which the
whole run then waited for while the other workers had finished in 150. So the long tests
are dealt longest first, each to the share with the least estimated time so far, and
each share starts with its long tests; the short ones fill the shares up to their sizes
in their own order. Run in one process, the long tests simply come first.

The estimates are rough on purpose: they only need to tell a two-minute run from a
half-minute one and from the few seconds of a browser test.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

Item = TypeVar("Item")

# Seconds a test takes on this 2-CPU machine, by the first part of its id that matches.
ESTIMATES: tuple[tuple[str, float], ...] = (
    ("test_worker_kills.py::test_killed_workers_leave_every_order_updated_once[20", 120.0),
    ("test_fuzz_routes.py::test_no_input_to_any_route", 55.0),
    ("test_round_trip.py", 45.0),
    ("test_worker_kills.py", 35.0),
    ("test_shared_budget.py", 20.0),
    ("test_bench_smoke.py", 15.0),
    ("test_import_while_packing.py", 14.0),
)
SLOW_S = 6.0  # any other test marked slow
BROWSER_S = 3.0  # a browser test
SHORT_S = 0.1  # the rest
LONG_S = 1.0  # from this estimate on, a test is dealt


def estimate(nodeid: str, *, slow: bool, browser: bool) -> float:
    """Roughly how many seconds the test ``nodeid`` takes."""
    path = nodeid.rsplit("/", 1)[-1]
    for start, seconds in ESTIMATES:
        if path.startswith(start):
            return seconds
    return SLOW_S if slow else BROWSER_S if browser else SHORT_S


def share_sizes(count: int, workers: int) -> list[int]:
    """How many tests xdist's worksteal gives each worker at the start, in turn."""
    sizes, left = [], count
    for taken in range(workers):
        size = left // (workers - taken)
        sizes.append(size)
        left -= size
    return sizes


def run_order(items: Sequence[Item], workers: int, seconds: Callable[[Item], float]) -> list[Item]:
    """``items`` in the order to collect them for ``workers`` workers (see the module's note)."""
    long = sorted((i for i in items if seconds(i) >= LONG_S), key=seconds, reverse=True)
    short = [i for i in items if seconds(i) < LONG_S]
    if workers <= 1:
        return [*long, *short]
    sizes = share_sizes(len(items), workers)
    shares: list[list[Item]] = [[] for _ in sizes]
    loads = [0.0] * len(sizes)
    for item in long:
        open_shares = [n for n in range(len(sizes)) if len(shares[n]) < sizes[n]]
        least = min(open_shares, key=lambda n: loads[n])
        shares[least].append(item)
        loads[least] += seconds(item)
    rest = iter(short)
    for share, size in zip(shares, sizes, strict=True):
        share.extend(next(rest) for _ in range(size - len(share)))
    return [item for share in shares for item in share]
