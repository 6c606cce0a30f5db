"""TcpTransport against a fake Zebra listening on 127.0.0.1."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from printers.errors import PrinterError, PrinterNotReady, PrinterOffline, PrinterRejected
from printers.tcp import TcpTransport
from printers.testing import ZebraListener
from printers.transport import Transport, ensure_ready

LABEL = b"^XA^CI28^FO50,50^FH^FDJos\\C3\\A9 ^FS^XZ"


def free_port() -> int:
    """A port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def zebra() -> Iterator[ZebraListener]:
    with ZebraListener() as listener:
        yield listener


def test_is_a_transport(zebra: ZebraListener) -> None:
    assert isinstance(TcpTransport("127.0.0.1", zebra.port), Transport)


def test_send_delivers_exact_bytes(zebra: ZebraListener) -> None:
    TcpTransport("127.0.0.1", zebra.port, timeout=2).send(LABEL)
    assert zebra.wait_for_jobs(1) == [LABEL]


def test_each_job_is_its_own_connection_in_order(zebra: ZebraListener) -> None:
    transport = TcpTransport("127.0.0.1", zebra.port, timeout=2, name="Bench 1")
    big = b"^XA" + bytes(range(256)) * 4096 + b"^XZ"  # 1 MiB, several TCP segments
    for job in (b"^XA^FD1^FS^XZ", big, b"^XA^FD3^FS^XZ"):
        transport.send(job)
    assert zebra.wait_for_jobs(3) == [b"^XA^FD1^FS^XZ", big, b"^XA^FD3^FS^XZ"]


def test_refused_port_is_offline_naming_printer_and_address() -> None:
    port = free_port()
    transport = TcpTransport("127.0.0.1", port, timeout=1, name="Dock Zebra")
    with pytest.raises(PrinterOffline) as caught:
        transport.send(LABEL)
    message = str(caught.value)
    assert "Dock Zebra" in message and f"127.0.0.1:{port}" in message
    assert "refused" in message
    assert caught.value.address == f"127.0.0.1:{port}" and not caught.value.partial
    assert caught.value.retryable


def test_printer_that_stops_reading_times_out_as_partial() -> None:
    with ZebraListener(reading=False) as stuck:
        transport = TcpTransport("127.0.0.1", stuck.port, timeout=0.3)
        with pytest.raises(PrinterOffline) as caught:
            transport.send(b"^XA" + b"x" * (64 << 20))  # more than both socket buffers
    assert caught.value.partial
    assert "stopped taking data" in str(caught.value)


def test_offline_then_back_on_the_same_port(zebra: ZebraListener) -> None:
    transport = TcpTransport("127.0.0.1", zebra.port, timeout=1)
    transport.send(b"^XA^FDbefore^FS^XZ")
    zebra.wait_for_jobs(1)
    port = zebra.port

    zebra.stop()
    with pytest.raises(PrinterOffline):
        transport.send(b"^XA^FDwhile off^FS^XZ")
    assert transport.status().online is False

    zebra.start()
    assert zebra.port == port
    transport.send(b"^XA^FDafter^FS^XZ")
    assert zebra.wait_for_jobs(2) == [b"^XA^FDbefore^FS^XZ", b"^XA^FDafter^FS^XZ"]


@pytest.mark.parametrize(
    ("flags", "problems"),
    [
        ({}, ()),
        ({"paper_out": True}, ("paper out",)),
        ({"head_open": True}, ("head open",)),
        ({"paused": True}, ("paused",)),
    ],
)
def test_status_asks_hs(zebra: ZebraListener, flags: dict[str, bool], problems: tuple) -> None:
    zebra.set_status(**flags)
    status = TcpTransport("127.0.0.1", zebra.port, timeout=2).status()
    assert status.online
    assert status.ready is (not problems)
    assert status.problems == problems
    assert zebra.jobs == []  # a status query is not a label


def test_ensure_ready_raises_not_ready(zebra: ZebraListener) -> None:
    zebra.set_status(paper_out=True)
    with pytest.raises(PrinterNotReady) as caught:
        ensure_ready(TcpTransport("127.0.0.1", zebra.port, timeout=2, name="Z1"))
    assert caught.value.problems == ("paper out",)
    assert "paper out" in str(caught.value)


def test_silent_printer_counts_as_ready_with_detail() -> None:
    with ZebraListener(answer_status=False) as silent:
        transport = TcpTransport("127.0.0.1", silent.port, timeout=2, status_timeout=0.2)
        status = transport.status()
    assert (status.online, status.ready, status.detail) == (True, True, "no status reply")


def test_status_of_refused_printer_is_offline() -> None:
    status = TcpTransport("127.0.0.1", free_port(), timeout=1).status()
    assert not status.online and not status.ready
    assert "refused" in (status.detail or "")


def test_bad_configuration_is_rejected_with_every_problem() -> None:
    with pytest.raises(PrinterRejected) as caught:
        TcpTransport("", 70000, timeout=0)
    assert len(caught.value.problems) == 3
    assert not caught.value.retryable


def test_empty_job_is_rejected(zebra: ZebraListener) -> None:
    with pytest.raises(PrinterError):
        TcpTransport("127.0.0.1", zebra.port).send(b"")
