"""``make bench``'s CPU figures: a process tree's time, its exited children's included."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from benchmarks.cpu import (
    CpuReading,
    per_order_ms,
    read_cpu,
    service_roots,
    tree_seconds,
    wait_until_idle,
)
from benchmarks.processes import child_pids

BURN = "import time\nend = time.process_time() + 0.4\nwhile time.process_time() < end: pass"


def test_a_child_that_ran_and_exited_is_counted_in_its_parents_tree() -> None:
    before = tree_seconds(os.getpid())
    subprocess.run([sys.executable, "-c", BURN], check=True)

    assert tree_seconds(os.getpid()) - before >= 0.35


def test_a_live_child_is_counted_while_it_runs() -> None:
    child = subprocess.Popen([sys.executable, "-c", BURN + "\ninput()"], stdin=subprocess.PIPE)
    try:
        reading = read_cpu({"child": [child.pid]})
        while reading.seconds["child"] < 0.35 and child.poll() is None:
            reading = read_cpu({"child": [child.pid]})
        assert reading.seconds["child"] >= 0.35
    finally:
        child.communicate(b"\n", timeout=10)


def test_a_gone_process_reads_as_nothing() -> None:
    assert tree_seconds(2**22 + 7) == 0.0


def test_used_time_per_order_by_group_and_in_total() -> None:
    earlier = CpuReading({"web": 1.0, "postgres": 2.0})
    later = CpuReading({"web": 1.5, "postgres": 2.25})

    used = later.since(earlier)

    assert used == {"web": 0.5, "postgres": 0.25, "total": 0.75}
    assert per_order_ms(used, 10) == {"web": 50.0, "postgres": 25.0, "total": 75.0}
    assert per_order_ms(used, 0)["total"] is None


def test_a_server_is_found_by_its_root_process_not_its_children() -> None:
    """As PostgreSQL's postmaster and its backends: the parent is a root, its child is not."""
    spawn = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'input()'])"
    # Started by a shell (not exec'd), so the parent's own parent has another name.
    shell = subprocess.Popen(
        ["sh", "-c", f'"{sys.executable}" -c "{spawn}"; true'], stdin=subprocess.PIPE
    )
    try:
        parents: list[int] = []
        children: list[int] = []
        while not children and shell.poll() is None:
            parents = child_pids(shell.pid)
            children = child_pids(parents[0]) if parents else []
        name = Path(f"/proc/{parents[0]}/stat").read_text().split("(")[1].split(")")[0]

        roots = service_roots(name)

        assert parents[0] in roots and children[0] not in roots
    finally:
        shell.communicate(b"\n", timeout=10)


def test_the_wait_for_idle_lasts_while_a_process_works_and_ends_once_it_rests() -> None:
    busy = "import time\nend = time.monotonic() + 1.2\nwhile time.monotonic() < end: pass"
    child = subprocess.Popen([sys.executable, "-c", busy + "\ninput()"], stdin=subprocess.PIPE)
    try:
        waited = wait_until_idle([child.pid], interval=0.2, timeout=10)
        assert 0.8 <= waited < 5  # the busy second, then one quiet reading
        assert wait_until_idle([child.pid], interval=0.2, timeout=10) < 0.5  # resting: at once
    finally:
        child.communicate(b"\n", timeout=10)
