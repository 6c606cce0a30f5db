"""The scale-out bench's child processes: one environment, logs in files, deadlines, /proc.

Children run this checkout's code (``PYTHONPATH`` is the checkout, ahead of any installed
copy), listen on loopback only, and are always stopped: ``Children`` terminates each one
when its block ends, killing those that do not leave within a few seconds.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import TracebackType

CHECKOUT = Path(__file__).resolve().parent.parent
STOP_GRACE_S = 10.0
POLL_S = 0.2


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def station_env(settings: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without its ``STATION_*``, plus ``STATION_<key>`` settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STATION_")}
    env.update({f"STATION_{key}": value for key, value in settings.items()})
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(CHECKOUT), os.environ.get("PYTHONPATH", "")) if p
    )
    return env


def station_command(*args: str) -> list[str]:
    """``station <args>`` run by this interpreter (so it imports this checkout's Station)."""
    return [sys.executable, "-c", "from station.cli import main; main()", *args]


def wait_until(ready: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll ``ready`` until it is true; TimeoutError naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready within {timeout:g} s")
        time.sleep(POLL_S)


def peak_rss_mb(pid: int) -> float | None:
    """The process's peak resident memory (``VmHWM``) in MB; None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


def child_pids(pid: int) -> list[int]:
    """The running children of ``pid`` (from every one of its threads), in pid order."""
    found: set[int] = set()
    for children in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):
            found.update(int(p) for p in children.read_text().split())
    return sorted(found)


class Children:
    """Named child processes with their output in ``folder/<name>.log``; stopped on exit."""

    def __init__(self, folder: Path, env: Mapping[str, str]) -> None:
        self.folder = folder
        self.env = dict(env)
        self.started: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: Sequence[str]) -> subprocess.Popen[bytes]:
        """Start ``argv`` from the checkout with the shared environment."""
        with (self.folder / f"{name}.log").open("ab") as log:
            process = subprocess.Popen(
                list(argv), cwd=CHECKOUT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.started[name] = process
        return process

    def check_alive(self) -> None:
        """RuntimeError with the end of its log if any child has exited."""
        for name, process in self.started.items():
            if process.poll() is not None:
                raise RuntimeError(
                    f"{name} exited with {process.returncode}:\n{self.log_tail(name)}"
                )

    def log_tail(self, name: str, chars: int = 2000) -> str:
        """The last ``chars`` characters a child wrote."""
        path = self.folder / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    def stop_all(self) -> None:
        """SIGTERM every child, then SIGKILL any still running after the grace period."""
        for process in self.started.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_S
        for process in self.started.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=STOP_GRACE_S)

    def __enter__(self) -> Children:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_all()
