"""``station doctor``'s printer checks: whatever can be found out from here about each one.

Network printers (raw TCP 9100, ESC/POS over the network) get a TCP connection that is
closed without sending a byte; printers behind a bench PC's agent are judged by when the
agent last asked for work; folders must be writable, devices present, CUPS installed.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from printers.errors import PrinterRejected
from printers.formats import PrinterSpec, TransportKind, build_transport
from station.models import PrintAgent, Printer
from station.ops.checks import Check, Outcome, Status, ago
from station.printing.setup import active_printers
from station.printing.transports import printer_spec

PRINTER_TIMEOUT = 2.0  # seconds a network printer has to accept a connection
AGENT_SILENT_AFTER = timedelta(minutes=2)  # agents poll every 25 s at most


def check_printers(
    session: Session, *, now: datetime, timeout: float = PRINTER_TIMEOUT
) -> list[Check]:
    """One check per active printer (a WARN when there is none)."""
    printers = active_printers(session)
    if not printers:
        return [Check("printers", Status.WARN, "no active printers: add one on /printers")]
    return [check_printer(printer, now=now, timeout=timeout) for printer in printers]


def check_printer(printer: Printer, *, now: datetime, timeout: float) -> Check:
    """Whatever can be checked from here about one printer."""
    name = f"printer {printer.name}"
    if printer.agent is not None:
        status, detail = _agent_state(printer.agent, now)
        return Check(name, status, detail)
    try:
        spec = printer_spec(printer)
    except PrinterRejected as exc:
        return Check(name, Status.FAIL, str(exc))
    probe = _PROBES.get(spec.transport, _not_checked)
    status, detail = probe(spec, timeout)
    return Check(name, status, detail)


def _agent_state(agent: PrintAgent, now: datetime) -> Outcome:
    """A bench PC's printer is only reachable from that PC: say how its agent is doing."""
    via = f"printed by agent {agent.name}"
    if agent.revoked_at is not None:
        return Status.FAIL, f"{via}, whose token was revoked: register the agent again"
    if agent.last_seen_at is None:
        return Status.WARN, f"{via}, which has never connected: start `station agent` on it"
    silent = now - agent.last_seen_at
    if silent > AGENT_SILENT_AFTER:
        return Status.WARN, (
            f"{via}, last seen {ago(silent)} ago: is `station agent` running on that PC?"
        )
    return Status.OK, f"{via}, seen {ago(silent)} ago"


def _tcp(spec: PrinterSpec, timeout: float) -> Outcome:
    """Open a TCP connection and close it without sending a byte."""
    problem = tcp_problem(spec.host or "", spec.port, timeout)
    if problem:
        return Status.FAIL, f"no connection to {spec.address} within {timeout:g} s: {problem}"
    return Status.OK, f"{spec.address} accepts connections"


def _directory(spec: PrinterSpec, _timeout: float) -> Outcome:
    """The folder a file or virtual printer saves to (made if missing, as printing would)."""
    try:
        state = build_transport(spec).status()
    except PrinterRejected as exc:
        return Status.FAIL, str(exc)
    if state.online:
        return Status.OK, f"saves to {spec.directory}, which is writable"
    return Status.FAIL, state.detail or f"cannot write to {spec.directory}"


def _cups(spec: PrinterSpec, _timeout: float) -> Outcome:
    if shutil.which("lp") is None:
        return Status.FAIL, "the `lp` command is missing: install the CUPS client (cups-client)"
    return Status.OK, (
        f"CUPS queue {spec.queue}: `lp` is installed; CUPS holds jobs while the printer is away"
    )


def _device(spec: PrinterSpec, _timeout: float) -> Outcome:
    if spec.device and Path(spec.device).exists():
        return Status.OK, f"device {spec.device} is present"
    return Status.FAIL, f"device {spec.device} is missing: is the printer plugged in?"


def _not_checked(spec: PrinterSpec, _timeout: float) -> Outcome:
    if spec.transport is TransportKind.MEMORY:
        return Status.OK, "in-memory printer (tests and demos): nothing to reach"
    return Status.OK, f"{spec.address}: not checked, the device is opened only to print"


_PROBES: dict[TransportKind, Callable[[PrinterSpec, float], Outcome]] = {
    TransportKind.TCP: _tcp,
    TransportKind.ESCPOS_NETWORK: _tcp,
    TransportKind.FILE: _directory,
    TransportKind.VIRTUAL: _directory,
    TransportKind.CUPS: _cups,
    TransportKind.ESCPOS_SERIAL: _device,
    TransportKind.ESCPOS_FILE: _device,
}


def tcp_problem(host: str, port: int, timeout: float) -> str | None:
    """None when ``host:port`` accepts a TCP connection within ``timeout``; else why not."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return exc.strerror or str(exc) or type(exc).__name__
