"""CUPS printing by running ``lp``: raw for printer languages (ZPL), filtered for PDF."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Mapping

from printers.errors import PrinterOffline, PrinterRejected
from printers.transport import PrinterFormat, PrinterStatus, sniff_format

_REQUEST_ID = re.compile(r"request id is (\S+)")
_QUEUE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.@/-]*$")  # never starts with "-": no options
_OPTION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
# lp's messages (under LC_ALL=C) that mean the spooler itself is unreachable.
_UNREACHABLE = ("unable to connect", "scheduler is not running", "connection refused")


def valid_queue_name(queue: str) -> bool:
    """True for a CUPS queue name we will pass to ``lp -d`` (letters, digits, _.@/-)."""
    return bool(_QUEUE.match(queue))


def valid_option_name(option: str) -> bool:
    """True for a CUPS option name we will pass to ``lp -o``."""
    return bool(_OPTION.match(option))


class CupsTransport:
    """Submits each job with ``lp -d QUEUE`` and the bytes on stdin."""

    def __init__(
        self,
        queue: str,
        *,
        lp_path: str = "lp",
        options: Mapping[str, str] | None = None,
        timeout: float = 30.0,
        name: str | None = None,
    ) -> None:
        options = dict(options or {})
        problems = []
        if not valid_queue_name(queue):
            problems.append(f"CUPS queue name {queue!r} is not valid")
        problems += [f"CUPS option {k!r} is not valid" for k in options if not valid_option_name(k)]
        problems += [f"CUPS option {k!r} has a line break" for k, v in options.items() if "\n" in v]
        if problems:
            raise PrinterRejected("; ".join(problems), printer=name, problems=tuple(problems))
        self.queue = queue
        self.lp_path = lp_path
        self.options = options
        self.timeout = timeout
        self.address = f"cups:{queue}"
        self.name = name or self.address
        self.last_request_id: str | None = None

    def __repr__(self) -> str:
        return f"CupsTransport({self.name!r}, {self.address})"

    def command(self, data: bytes) -> list[str]:
        """The ``lp`` command line for this job (raw unless the job is a PDF)."""
        argv = [self.lp_path, "-d", self.queue]
        if sniff_format(data) is not PrinterFormat.PDF and "raw" not in self.options:
            argv += ["-o", "raw"]
        for key, value in self.options.items():
            argv += ["-o", f"{key}={value}" if value else key]
        return argv

    def _who(self) -> str:
        """The printer's name and queue for messages."""
        return f"printer {self.name!r} (CUPS queue {self.queue!r})"

    def send(self, data: bytes) -> None:
        """Run ``lp``; PrinterRejected on a missing ``lp`` or refusal, with lp's stderr."""
        if not data:
            raise PrinterRejected("refusing to send an empty job", printer=self.name)
        argv = self.command(data)
        if shutil.which(self.lp_path) is None:
            raise PrinterRejected(
                f"{self._who()}: the lp command {self.lp_path!r} was not found",
                printer=self.name,
                address=self.address,
            )
        try:
            done = subprocess.run(
                argv,
                input=data,
                capture_output=True,
                timeout=self.timeout,
                env={**os.environ, "LC_ALL": "C"},
                check=False,
            )
        except subprocess.TimeoutExpired:
            raise PrinterOffline(
                f"{self._who()} is offline: lp did not finish within {self.timeout:g}s",
                printer=self.name,
                address=self.address,
                partial=True,
            ) from None
        except OSError as exc:
            raise PrinterRejected(
                f"{self._who()}: cannot run {self.lp_path!r}: {exc.strerror or exc}",
                printer=self.name,
                address=self.address,
            ) from None
        stdout = done.stdout.decode("utf-8", "replace")
        stderr = done.stderr.decode("utf-8", "replace").strip()
        if done.returncode != 0:
            why = stderr or f"lp exited with status {done.returncode}"
            if any(marker in stderr.lower() for marker in _UNREACHABLE):
                raise PrinterOffline(
                    f"{self._who()} is offline: {why}", printer=self.name, address=self.address
                )
            raise PrinterRejected(
                f"{self._who()} refused the job: {why}", printer=self.name, address=self.address
            )
        match = _REQUEST_ID.search(stdout)
        self.last_request_id = match.group(1) if match else None

    def status(self) -> PrinterStatus:
        """CUPS holds jobs while a printer is away, so submitting is what counts."""
        return PrinterStatus.ok("status not checked for CUPS queues")
