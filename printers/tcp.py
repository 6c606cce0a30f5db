"""Raw TCP printing (port 9100, "JetDirect"): what network Zebras speak.

``status()`` sends ``~HS``: ask only ZPL printers; other printers may print it as text.
With ``check_status=True`` every ``send()`` asks first, on its own connection, and
raises PrinterNotReady (nothing sent) when the printer says it is paused, out of paper
or open. A printer that stays silent is printed to as before, and a ``SilentPrinters``
memo keeps it from being asked again for a while, so emulators and printers that never
answer ``~HS`` cost that wait once, not on every label. Share one memo between the
transports a long-running process builds for the same printers.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Callable

from printers.errors import PrinterNotReady, PrinterOffline, PrinterRejected
from printers.hoststatus import HOST_STATUS_QUERY, parse_host_status, reply_complete
from printers.transport import PrinterStatus, format_address

log = logging.getLogger(__name__)

_DRAIN_LIMIT = 64 * 1024  # bytes we are willing to read back after a job
NO_REPLY = "no status reply"


class SilentPrinters:
    """Remembers which printers did not answer ``~HS``, so they are not asked on every label."""

    def __init__(
        self, *, recheck: float = 300.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.recheck = recheck
        self._clock = clock
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def is_silent(self, address: str) -> bool:
        """True while the printer at ``address`` is known not to answer."""
        with self._lock:
            return self._clock() < self._until.get(address, float("-inf"))

    def note_silent(self, address: str) -> None:
        """The printer at ``address`` just did not answer: ask again after ``recheck`` s."""
        with self._lock:
            self._until[address] = self._clock() + self.recheck


class TcpTransport:
    """Sends each job on its own connection: connect, send all, close our side, close."""

    def __init__(
        self,
        host: str,
        port: int = 9100,
        *,
        timeout: float = 5.0,
        status_timeout: float | None = None,
        drain_timeout: float = 2.0,
        check_status: bool = False,
        silent: SilentPrinters | None = None,
        name: str | None = None,
    ) -> None:
        problems = []
        if not host or any(c.isspace() for c in host):
            problems.append(f"host {host!r} is not a host name or address")
        if not 0 < port < 65536:
            problems.append(f"port {port} is not between 1 and 65535")
        if timeout <= 0 or (status_timeout is not None and status_timeout <= 0):
            problems.append("timeouts must be positive")
        if problems:
            raise PrinterRejected("; ".join(problems), printer=name, problems=tuple(problems))
        self.host = host
        self.port = port
        self.timeout = timeout
        self.status_timeout = timeout if status_timeout is None else status_timeout
        self.drain_timeout = min(drain_timeout, timeout)
        self.check_status = check_status
        self.silent = silent or SilentPrinters()
        self.address = format_address(host, port)
        self.name = name or self.address

    def __repr__(self) -> str:
        return f"TcpTransport({self.name!r}, {self.address})"

    def _who(self) -> str:
        """The printer's name and address for messages."""
        if self.name == self.address:
            return f"printer at {self.address}"
        return f"printer {self.name!r} at {self.address}"

    def _offline(self, why: str, *, partial: bool = False) -> PrinterOffline:
        """A PrinterOffline naming this printer."""
        return PrinterOffline.naming(
            self._who(), why, printer=self.name, address=self.address, partial=partial
        )

    def _connect(self) -> socket.socket:
        """Open a connection or raise PrinterOffline saying why not."""
        try:
            return socket.create_connection((self.host, self.port), timeout=self.timeout)
        except ConnectionRefusedError:
            raise self._offline("connection refused") from None
        except TimeoutError:
            raise self._offline(f"no answer within {self.timeout:g}s") from None
        except socket.gaierror as exc:
            raise self._offline(f"cannot resolve {self.host!r} ({exc.strerror})") from None
        except OSError as exc:
            raise self._offline(exc.strerror or str(exc)) from None

    def send(self, data: bytes) -> None:
        """Deliver one job; PrinterOffline(partial=True) if it broke off mid-way."""
        if not data:
            raise PrinterRejected("refusing to send an empty job", printer=self.name)
        if self.check_status:
            self._check_ready()
        with self._connect() as sock:
            try:
                sock.sendall(data)
                sock.shutdown(socket.SHUT_WR)
            except TimeoutError:
                raise self._offline(
                    f"stopped taking data for {self.timeout:g}s", partial=True
                ) from None
            except OSError as exc:
                why = f"connection dropped while sending ({exc.strerror or exc})"
                raise self._offline(why, partial=True) from None
            self._drain(sock)

    def _drain(self, sock: socket.socket) -> None:
        """Wait briefly for the printer to close, so closing cannot reset unread bytes."""
        deadline = time.monotonic() + self.drain_timeout
        received = 0
        try:
            while received < _DRAIN_LIMIT:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                sock.settimeout(remaining)
                chunk = sock.recv(4096)
                if not chunk:
                    return
                received += len(chunk)
        except OSError:
            return  # the job is already with the printer; a slow close is not a failure

    def status(self) -> PrinterStatus:
        """Ask ``~HS``; offline if unreachable, "status unknown" if it stays silent."""
        try:
            return self._host_status()
        except PrinterOffline as exc:
            return PrinterStatus.offline(exc.message)

    def _check_ready(self) -> None:
        """Before a job: raise PrinterOffline/PrinterNotReady unless ready or silent."""
        if self.silent.is_silent(self.address):
            return
        status = self._host_status()
        if not status.known:
            self.silent.note_silent(self.address)
            log.info("%s: %s, printing without a status check", self._who(), status.detail)
        elif not status.ready:
            raise PrinterNotReady.naming(
                self._who(), status.problems, printer=self.name, address=self.address
            )

    def _host_status(self) -> PrinterStatus:
        """Send ``~HS`` on a connection of its own and parse the answer; PrinterOffline if
        the printer cannot be reached."""
        with self._connect() as sock:
            try:
                sock.sendall(HOST_STATUS_QUERY)
            except OSError as exc:
                raise self._offline(exc.strerror or str(exc)) from None
            reply = self._read_reply(sock)
        if not reply:
            return PrinterStatus.unknown(NO_REPLY)
        try:
            return parse_host_status(reply)
        except ValueError:
            return PrinterStatus.unknown("unreadable status reply")

    def _read_reply(self, sock: socket.socket) -> bytes:
        """Read until the three status strings arrived, the peer closed, or time ran out."""
        deadline = time.monotonic() + self.status_timeout
        buffer = b""
        try:
            while not reply_complete(buffer) and len(buffer) < _DRAIN_LIMIT:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                sock.settimeout(remaining)
                chunk = sock.recv(4096)
                if not chunk:
                    break
                buffer += chunk
        except OSError:
            pass
        return buffer
