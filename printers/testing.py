"""Test doubles other suites can import: a Zebra on 127.0.0.1 that keeps what it is sent,
and a bench scale that streams its display over TCP (pyserial's ``socket://`` URL).

with ZebraListener() as zebra:
    TcpTransport("127.0.0.1", zebra.port).send(b"^XA^XZ")
    assert zebra.wait_for_jobs(1) == [b"^XA^XZ"]

with FakeScale("ST,GS,+  1.234kg") as scale:
    SerialScale(scale.url).read_line()  # "ST,GS,+  1.234kg"
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
from contextlib import AbstractContextManager
from types import TracebackType

from printers.hoststatus import HOST_STATUS_QUERY
from printers.transport import format_address


def host_status_reply(
    *, paper_out: bool = False, head_open: bool = False, paused: bool = False, waiting: int = 0
) -> bytes:
    """A ``~HS`` reply as a ZD420 sends it, with the given flags (see printers.hoststatus)."""
    first = f"030,{paper_out:d},{paused:d},1218,{waiting:03d},0,0,0,000,0,0,0"
    second = f"001,0,{head_open:d},0,0,2,6,0,00000000,1,000"
    third = "1234,0"
    return b"".join(b"\x02" + s.encode() + b"\x03\r\n" for s in (first, second, third))


class _Server(socketserver.ThreadingTCPServer):
    """A threaded TCP server that knows its ZebraListener."""

    allow_reuse_address = True
    daemon_threads = False
    block_on_close = True

    def __init__(self, address: tuple[str, int], listener: ZebraListener) -> None:
        self.listener = listener
        super().__init__(address, _Handler)


class _Handler(socketserver.BaseRequestHandler):
    """Reads one connection to its end, answering ``~HS`` when the listener does."""

    def handle(self) -> None:
        listener: ZebraListener = self.server.listener  # type: ignore[attr-defined]
        sock: socket.socket = self.request
        listener._track(sock, add=True)
        try:
            if not listener.reading:
                listener._stopping.wait(listener.idle_timeout)  # accept, never read
                return
            sock.settimeout(listener.idle_timeout)
            received, answered = b"", False
            while True:
                try:
                    chunk = sock.recv(65536)
                except OSError:
                    break
                if not chunk:
                    break
                received += chunk
                if listener.answer_status and not answered and HOST_STATUS_QUERY in received:
                    sock.sendall(listener.status_reply())
                    answered = True
            listener._record(received)
        finally:
            listener._track(sock, add=False)


class _ServedFake:
    """Serving a fake device's socket server on a thread, and cutting every client off."""

    port: int
    _open: set[socket.socket]
    _stopping: threading.Event
    _server: socketserver.BaseServer | None
    _thread: threading.Thread | None

    def _serve(self, server: socketserver.TCPServer) -> None:
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    def _shut_down(self, guard: AbstractContextManager[object]) -> None:
        """Stop serving and drop open connections (``guard`` protects ``_open``)."""
        server, self._server = self._server, None
        if server is None:
            return
        self._stopping.set()
        server.shutdown()
        with guard:
            open_now = list(self._open)
        for sock in open_now:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


class ZebraListener(_ServedFake):
    """A fake Zebra: stores each connection's bytes in ``.jobs``, answers ``~HS`` if asked.

    A connection carrying only ``~HS`` is a status query: counted in ``.queries``, not a
    job. ``stop()`` and ``start()`` again reuse the port, like a printer switched off and
    on. ``reading=False`` accepts connections but never reads (for send timeouts).
    """

    def __init__(
        self,
        *,
        answer_status: bool = True,
        paper_out: bool = False,
        head_open: bool = False,
        paused: bool = False,
        reading: bool = True,
        host: str = "127.0.0.1",
        port: int = 0,
        idle_timeout: float = 10.0,
    ) -> None:
        self.answer_status = answer_status
        self.paper_out, self.head_open, self.paused = paper_out, head_open, paused
        self.reading = reading
        self.host = host
        self.port = port
        self.idle_timeout = idle_timeout
        self.jobs: list[bytes] = []
        self.queries = 0
        self._changed = threading.Condition()
        self._open: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> str:
        """host:port, as transports write it in messages."""
        return format_address(self.host, self.port)

    @property
    def running(self) -> bool:
        """True while the listener accepts connections."""
        return self._server is not None

    def set_status(
        self, *, paper_out: bool = False, head_open: bool = False, paused: bool = False
    ) -> None:
        """Change what ``~HS`` reports (all False: ready)."""
        self.paper_out, self.head_open, self.paused = paper_out, head_open, paused

    def status_reply(self) -> bytes:
        """The ``~HS`` reply for the current flags."""
        return host_status_reply(
            paper_out=self.paper_out, head_open=self.head_open, paused=self.paused
        )

    def start(self) -> ZebraListener:
        """Listen (on the same port as before, after a stop)."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = _Server((self.host, self.port), self)
        self._serve(server)
        return self

    def stop(self) -> None:
        """Stop listening and drop open connections; ``connect`` is then refused."""
        self._shut_down(self._changed)

    def restart(self) -> ZebraListener:
        """Stop and start again on the same port."""
        self.stop()
        return self.start()

    def wait_for_jobs(self, count: int, timeout: float = 5.0) -> list[bytes]:
        """Wait until at least ``count`` jobs arrived; TimeoutError if they do not."""
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.jobs) >= count, timeout):
                raise TimeoutError(
                    f"expected {count} job(s) at {self.address} within {timeout:g}s, "
                    f"got {len(self.jobs)}"
                )
            return list(self.jobs)

    def wait_for_queries(self, count: int, timeout: float = 5.0) -> int:
        """Wait until at least ``count`` status queries were answered (or ignored)."""
        with self._changed:
            if not self._changed.wait_for(lambda: self.queries >= count, timeout):
                raise TimeoutError(
                    f"expected {count} ~HS quer(ies) at {self.address} within {timeout:g}s, "
                    f"got {self.queries}"
                )
            return self.queries

    def _record(self, received: bytes) -> None:
        """Keep a finished connection's bytes (not when cut off by stop())."""
        if not received or self._stopping.is_set():
            return
        with self._changed:
            if received.strip() == HOST_STATUS_QUERY:
                self.queries += 1
            else:
                self.jobs.append(received)
            self._changed.notify_all()

    def _track(self, sock: socket.socket, *, add: bool) -> None:
        """Remember open connections so stop() can drop them."""
        with self._changed:
            (self._open.add if add else self._open.discard)(sock)

    def __enter__(self) -> ZebraListener:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


class _ScaleHandler(socketserver.BaseRequestHandler):
    """Streams the scale's current display line to one connection until it closes."""

    def handle(self) -> None:
        scale: FakeScale = self.server.scale  # type: ignore[attr-defined]
        sock: socket.socket = self.request
        with scale._lock:
            scale._open.add(sock)
            scale.connections += 1
        try:
            while not scale._stopping.is_set():
                line = scale._next_line()
                if line is not None:
                    sock.sendall(line.encode("ascii") + scale.ending)
                scale._stopping.wait(scale.interval)
        except OSError:
            return  # the reader went away
        finally:
            with scale._lock:
                scale._open.discard(sock)


class FakeScale(_ServedFake):
    """A bench scale in continuous-output mode on 127.0.0.1: ``url`` is for pyserial.

    Every ``interval`` seconds it sends its display line to each reader: ``show(a, b, c)``
    sends a and b once each, then c for as long as nothing else is shown (None sends
    nothing). ``stop()`` drops readers like an unplugged cable; ``start()`` again
    listens on the same port.
    """

    def __init__(
        self,
        line: str | None = None,
        *,
        interval: float = 0.05,
        ending: bytes = b"\r\n",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.line = line
        self._coming: list[str] = []
        self.interval = interval
        self.ending = ending
        self.host, self.port = host, port
        self.connections = 0
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._stopping = threading.Event()
        self._server: socketserver.ThreadingTCPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The pyserial URL that reads this scale."""
        return f"socket://{format_address(self.host, self.port)}"

    def show(self, *lines: str | None) -> None:
        """Send these lines in turn, then keep sending the last one."""
        with self._lock:
            *coming, self.line = lines or (None,)
            self._coming = [line for line in coming if line is not None]

    def _next_line(self) -> str | None:
        """What the display sends now."""
        with self._lock:
            return self._coming.pop(0) if self._coming else self.line

    def start(self) -> FakeScale:
        """Listen (on the same port as before, after a stop)."""
        if self._server is not None:
            return self
        self._stopping.clear()
        server = socketserver.ThreadingTCPServer((self.host, self.port), _ScaleHandler, False)
        server.allow_reuse_address = True
        server.daemon_threads = True
        server.server_bind()
        server.server_activate()
        server.scale = self  # type: ignore[attr-defined]
        self._serve(server)
        return self

    def stop(self) -> None:
        """Stop listening and cut every reader off."""
        self._shut_down(self._lock)

    def __enter__(self) -> FakeScale:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
