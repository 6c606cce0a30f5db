"""Raw TCP printing (port 9100, "JetDirect"): what network Zebras speak.

``status()`` sends ``~HS``: ask only ZPL printers; other printers may print it as text.
"""

from __future__ import annotations

import socket
import time

from printers.errors import PrinterOffline, PrinterRejected
from printers.hoststatus import HOST_STATUS_QUERY, parse_host_status, reply_complete
from printers.transport import PrinterStatus, format_address

_DRAIN_LIMIT = 64 * 1024  # bytes we are willing to read back after a job


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
        """Ask ``~HS``; offline if unreachable, "no status reply" if it stays silent."""
        try:
            sock = self._connect()
        except PrinterOffline as exc:
            return PrinterStatus.offline(exc.message)
        with sock:
            try:
                sock.sendall(HOST_STATUS_QUERY)
            except OSError as exc:
                return PrinterStatus.offline(self._offline(exc.strerror or str(exc)).message)
            reply = self._read_reply(sock)
        if not reply:
            return PrinterStatus.ok("no status reply")
        try:
            return parse_host_status(reply)
        except ValueError:
            return PrinterStatus.ok("unreadable status reply")

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
