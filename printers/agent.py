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

With a scale (``--scale PORT``) a second thread reads the bench scale and posts each
settled weight to the server (``POST /api/v1/agent/scale``), so the bench can fill the
parcel weight in. ``run_agent`` is what ``station agent`` runs.

It imports nothing from ``station``: it talks to the server over HTTP only.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from printers.errors import PrinterError, PrinterOffline
from printers.formats import PrinterSpec, build_transport
from printers.scale import (
    ScaleError,
    SerialScale,
    WeightFilter,
    WeightReading,
    parse_weight_line,
)
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
        files_root: Path | None = None,
    ) -> None:
        self._http = http or httpx.Client(
            base_url=server.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=poll_wait + 10,
        )
        self._journal = journal
        # The server names the folders, but this PC decides where they may be: file
        # printers write only under ``files_root`` (default: labels beside the journal).
        root = files_root or journal.path.parent / "labels"
        self._transport_for = transport_for or (
            lambda spec: build_transport(PrinterSpec.from_dict(spec).check(), files_root=root)
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


class ScaleFeeder:
    """Reads the bench scale and posts settled weights to the server, as they change."""

    def __init__(
        self,
        scale: SerialScale,
        http: httpx.Client,
        *,
        weights: WeightFilter | None = None,
        max_backoff: float = 30.0,
    ) -> None:
        self.scale = scale
        self._http = http
        self._weights = weights or WeightFilter()
        self._max_backoff = max_backoff

    @classmethod
    def connect(cls, server: str, token: str, port: str, baudrate: int = 9600) -> ScaleFeeder:
        """A feeder for the scale on ``port`` posting to ``server`` with the agent's token."""
        http = httpx.Client(
            base_url=server.rstrip("/"), headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        return cls(SerialScale(port, baudrate=baudrate), http)

    def close(self) -> None:
        """Close the scale's port and the connection to the server."""
        self.scale.close()
        self._http.close()

    def post(self, reading: WeightReading) -> None:
        """Send one settled weight; PermissionError when the token is refused."""
        response = self._http.post(
            "/api/v1/agent/scale", json={"grams": reading.grams, "stable": True}
        )
        if response.status_code == 401:
            raise PermissionError("The server refused this agent's token (unknown or revoked).")
        response.raise_for_status()
        self._weights.sent(reading)
        log.info("scale: %d g", reading.grams)

    def run_once(self, *, timeout: float = 10.0) -> WeightReading | None:
        """Post the first settled weight that arrives within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        self.scale.open()
        self.scale.discard_waiting()
        while time.monotonic() < deadline:
            line = self.scale.read_line()
            reading = parse_weight_line(line) if line else None
            if reading is not None and self._weights.wants(reading):
                self.post(reading)
                return reading
        return None

    def run(self, stop: threading.Event) -> None:
        """Read and post until ``stop`` is set; waits out an unplugged scale or a lost server."""
        backoff = 1.0
        while not stop.is_set():
            try:
                for reading in self.scale.readings(stop):
                    backoff = 1.0
                    if self._weights.wants(reading):
                        self._post_or_wait(reading, stop)
            except ScaleError as exc:
                log.warning("%s; trying again in %.0f s", exc, backoff)
                stop.wait(backoff)
                backoff = min(self._max_backoff, backoff * 2)
            except PermissionError as exc:
                log.error("scale: %s Not reading the scale any more.", exc)
                break  # the job loop meets the same refusal and ends the agent with it
        self.close()

    def _post_or_wait(self, reading: WeightReading, stop: threading.Event) -> None:
        """Post; if the server cannot be reached, wait a moment and drop what came meanwhile."""
        try:
            self.post(reading)
        except (httpx.TransportError, httpx.HTTPStatusError) as exc:
            log.warning("scale: cannot send %d g to the server (%s)", reading.grams, exc)
            stop.wait(2.0)
            self.scale.discard_waiting()  # the weight may have changed meanwhile: read afresh


def run_agent(
    server: str,
    token: str,
    journal_path: Path,
    *,
    files_root: Path | None = None,
    once: bool = False,
    scale_port: str | None = None,
    scale_baud: int = 9600,
    stop: threading.Event | None = None,
    poll_wait: float = 20.0,
) -> int:
    """What ``station agent`` runs: print this bench's jobs and post its scale's weights.

    With ``once`` it handles the jobs on offer (and posts one settled weight) and returns
    how many jobs it handled. Otherwise it runs until ``stop`` is set, SIGTERM or Ctrl-C.
    PermissionError when the server refuses the token.
    """
    agent = Agent(
        server,
        token,
        Journal(journal_path),
        poll_wait=0.0 if once else poll_wait,
        files_root=files_root,
    )
    feeder = ScaleFeeder.connect(server, token, scale_port, scale_baud) if scale_port else None
    if once:
        handled = agent.run_once()
        if feeder is not None:
            try:
                if feeder.run_once() is None:
                    log.warning("the scale on %s sent no settled weight", scale_port)
            except ScaleError as exc:
                log.error("%s", exc)  # printing comes first: the jobs above were handled
            finally:
                feeder.close()
        return handled
    stop = stop or threading.Event()
    restore = _stop_on_sigterm(stop)
    scale_thread = None
    if feeder is not None:
        scale_thread = threading.Thread(target=feeder.run, args=(stop,), name="scale", daemon=True)
        scale_thread.start()
    try:
        agent.run_forever(stop)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        restore()
        if scale_thread is not None:
            scale_thread.join(timeout=10)
    return 0


def _stop_on_sigterm(stop: threading.Event) -> Callable[[], None]:
    """Make SIGTERM stop the agent at once (interrupting a long poll); returns an undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def terminate(_signum: int, _frame: object) -> None:
        # The journal makes stopping anywhere safe.
        stop.set()
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, terminate)
    return lambda: signal.signal(signal.SIGTERM, previous)


def _pause_if_asked(point: str) -> None:
    """Park here forever when the test harness asked to (it then kills the process)."""
    if os.environ.get(PAUSE_ENV) == point:
        marker = os.environ.get(f"{PAUSE_ENV}_MARKER")
        if marker:
            Path(marker).write_text(point)
        threading.Event().wait()
