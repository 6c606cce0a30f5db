"""CPU time of the production path's processes, from /proc: web, job workers, PostgreSQL, Redis.

A process's figure is its own user + system time plus what its exited children used
(``cutime``/``cstime``: a PostgreSQL backend that closed, a gunicorn worker that was
replaced) plus the same for each live child, so nothing that ran between two readings
is missed. The Cin7 sandbox and the bench drivers (the customer and Cin7, not Station)
are left out.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.processes import child_pids

TICK_S = 1 / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True, slots=True)
class CpuReading:
    """Seconds of CPU by group at one moment."""

    seconds: Mapping[str, float]

    def since(self, earlier: CpuReading) -> dict[str, float]:
        """Seconds used by each group (and ``total``) between ``earlier`` and this reading."""
        used = {
            group: max(0.0, self.seconds[group] - earlier.seconds.get(group, 0.0))
            for group in self.seconds
        }
        used["total"] = sum(used.values())
        return used


def read_cpu(groups: Mapping[str, Sequence[int]]) -> CpuReading:
    """The CPU seconds so far of each group of process trees (roots by pid)."""
    return CpuReading(
        {name: sum(tree_seconds(pid) for pid in pids) for name, pids in groups.items()}
    )


def wait_until_idle(
    roots: Sequence[int], *, interval: float = 0.5, below: float = 0.02, timeout: float = 30.0
) -> float:
    """Wait until the process trees ``roots`` use under ``below`` CPU seconds in ``interval``.

    Start-up work (each gunicorn worker warming up before its first request, some still
    at it when the first one answers) is then over and not counted as the orders'. Gives
    up after ``timeout`` seconds; returns the seconds waited.
    """
    began = time.monotonic()
    last = sum(tree_seconds(pid) for pid in roots)
    while time.monotonic() - began < timeout:
        time.sleep(interval)
        now = sum(tree_seconds(pid) for pid in roots)
        if now - last < below:
            break
        last = now
    return time.monotonic() - began


def tree_seconds(pid: int) -> float:
    """CPU seconds of ``pid``, its exited children and, in turn, its live ones (0 if gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    # After "pid (comm)": state is field 3, utime..cstime are fields 14-17.
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    own = (utime + stime + cutime + cstime) * TICK_S
    return own + sum(tree_seconds(child) for child in child_pids(pid))


def service_roots(command: str) -> list[int]:
    """The pids of processes named ``command`` whose parent is not one too (the server's
    root process: PostgreSQL's postmaster, redis-server)."""
    named = {pid: parent for pid, name, parent in _processes() if name == command}
    return sorted(pid for pid, parent in named.items() if parent not in named)


def _processes() -> list[tuple[int, str, int]]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            text = stat.read_text()
            name = text[text.index("(") + 1 : text.rindex(")")]
            parent = int(text.rsplit(")", 1)[1].split()[1])
            found.append((int(stat.parent.name), name, parent))
    return found


def per_order_ms(used: Mapping[str, float], orders: int) -> dict[str, float | None]:
    """``used`` seconds by group as milliseconds per shipped order."""
    if orders <= 0:
        return {group: None for group in used}
    return {group: round(seconds * 1000 / orders, 1) for group, seconds in used.items()}
