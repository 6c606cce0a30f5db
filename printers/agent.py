"""The print agent: runs on a bench PC, fetches its printers' jobs from Station, prints locally.

Exactly once, even when killed: before sending a job's bytes the agent writes
``sending`` to a local journal, after the printer took them ``sent``, and after the
server recorded the outcome ``reported``. The server keeps offering a job until it
hears how it went, so after a restart the journal decides:

- no entry, or ``unsent`` → the job never reached the printer: print it;
- ``sent`` / ``reported`` → it printed: just report ``done`` (again);
- ``sending`` → the agent died while the bytes were going out, or ``failed`` → part of
  the label may have reached the printer: report ``failed`` (again, if the first report
  was lost) so a person checks the printer and reprints if needed — never a silent
  second label.

It imports nothing from ``station``: it talks to the server over HTTP only.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from printers.errors import PrinterError, PrinterOffline
from printers.formats import PrinterSpec, build_transport
from printers.transport import Transport

log = logging.getLogger(__name__)

PAUSE_ENV = "STATION_AGENT_PAUSE_AT"  # tests: "before_send" or "after_send" parks the agent there


_MAYBE_PRINTED = {
    "sending": "The print agent stopped while sending this label; "
    "check the printer and reprint if it did not come out.",
    "failed": "The printer stopped part-way through this label; "
    "check the printer and reprint if it did not come out.",
}


class Journal:
    """An append-only JSON-lines record of what this agent did with each job."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._states: dict[int, str] = {}
        if path.exists():
            for line in path.read_text().splitlines():
                try:
                    entry = json.loads(line)
                    self._states[int(entry["job"])] = str(entry["state"])
                except (ValueError, KeyError, TypeError):
                    log.warning("ignoring an unreadable journal line: %r", line[:80])

    def state(self, job_id: int) -> str | None:
        """The last state written for ``job_id``."""
        return self._states.get(job_id)

    def write(self, job_id: int, state: str) -> None:
        """Record a state durably (flushed and fsynced) before going on."""
        with self.path.open("a") as handle:
            handle.write(json.dumps({"job": job_id, "state": state, "t": time.time()}) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self._states[job_id] = state


class Agent:
    """Polls the server, prints, reports; one job at a time, in the order offered."""

    def __init__(
        self,
        server: str,
        token: str,
        journal: Journal,
        *,
        http: httpx.Client | None = None,
        transport_for: Callable[[Mapping[str, Any]], Transport] | None = None,
        poll_wait: float = 20.0,
    ) -> None:
        self._http = http or httpx.Client(
            base_url=server.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=poll_wait + 10,
        )
        self._journal = journal
        self._transport_for = transport_for or (
            lambda spec: build_transport(PrinterSpec.from_dict(spec).check())
        )
        self._poll_wait = poll_wait
        self._transports: dict[str, Transport] = {}

    def run_once(self) -> int:
        """Fetch and handle whatever the server offers now; returns how many jobs were handled."""
        response = self._http.get("/api/v1/agent/jobs", params={"wait": self._poll_wait})
        if response.status_code == 401:
            raise PermissionError("The server refused this agent's token (unknown or revoked).")
        response.raise_for_status()
        jobs = response.json()["jobs"]
        for job in jobs:
            self.handle(job)
        return len(jobs)

    def run_forever(self, stop: threading.Event, *, max_backoff: float = 30.0) -> None:
        """Keep polling until ``stop`` is set; waits out server restarts and network loss."""
        backoff = 1.0
        while not stop.is_set():
            try:
                self.run_once()
                backoff = 1.0
            except (httpx.TransportError, httpx.HTTPStatusError) as exc:
                log.warning("cannot reach the server (%s); trying again in %.0f s", exc, backoff)
                stop.wait(backoff)
                backoff = min(max_backoff, backoff * 2)

    def handle(self, job: Mapping[str, Any]) -> None:
        """Print one offered job unless the journal says it already printed, then report."""
        job_id = int(job["id"])
        state = self._journal.state(job_id)
        if state in ("sent", "reported"):
            self._report(job_id, "done")
            return
        if state in ("sending", "failed"):
            self._report(job_id, "failed", _MAYBE_PRINTED[state])
            return
        _pause_if_asked("before_send")
        self._journal.write(job_id, "sending")
        try:
            self._transport(job["printer"]).send(base64.b64decode(job["payload"]))
        except PrinterError as exc:
            nothing_sent = exc.retryable and not (isinstance(exc, PrinterOffline) and exc.partial)
            self._journal.write(job_id, "unsent" if nothing_sent else "failed")
            self._report(job_id, "retry" if nothing_sent else "failed", str(exc))
            return
        self._journal.write(job_id, "sent")
        _pause_if_asked("after_send")
        self._report(job_id, "done")

    def _transport(self, spec: Mapping[str, Any]) -> Transport:
        name = str(spec.get("name", ""))
        if name not in self._transports:
            self._transports[name] = self._transport_for(spec)
        return self._transports[name]

    def _report(self, job_id: int, outcome: str, error: str | None = None) -> None:
        response = self._http.post(
            f"/api/v1/agent/jobs/{job_id}", json={"outcome": outcome, "error": error}
        )
        response.raise_for_status()
        if outcome == "done":
            self._journal.write(job_id, "reported")
        log.info("job %s: %s", job_id, outcome)


def _pause_if_asked(point: str) -> None:
    """Park here forever when the test harness asked to (it then kills the process)."""
    if os.environ.get(PAUSE_ENV) == point:
        marker = os.environ.get(f"{PAUSE_ENV}_MARKER")
        if marker:
            Path(marker).write_text(point)
        threading.Event().wait()
