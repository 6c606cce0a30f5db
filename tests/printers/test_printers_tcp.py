"""TcpTransport against a fake Zebra listening on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from printers.errors import PrinterError, PrinterNotReady, PrinterOffline, PrinterRejected
from printers.tcp import SilentPrinters, TcpTransport
from printers.testing import ZebraListener
from printers.transport import Transport, ensure_ready
from tests.fakes.ports import free_port

LABEL = b"^XA^CI28^FO50,50^FH^FDJos\\C3\\A9 ^FS^XZ"


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
    assert str(caught.value) == (
        "Printer 'Z1' is out of labels — load a new roll of labels and close the print head"
    )


def test_silent_printer_counts_as_ready_with_detail() -> None:
    with ZebraListener(answer_status=False) as silent:
        transport = TcpTransport("127.0.0.1", silent.port, timeout=2, status_timeout=0.2)
        status = transport.status()
    assert (status.online, status.ready, status.detail) == (True, True, "no status reply")
    assert not status.known


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


class TestStatusCheckBeforeSending:
    """With ``check_status`` each label is preceded by ``~HS`` on a connection of its own."""

    def test_a_ready_printer_is_asked_then_gets_the_label(self, zebra: ZebraListener) -> None:
        transport = TcpTransport("127.0.0.1", zebra.port, timeout=2, check_status=True)

        transport.send(LABEL)

        assert zebra.wait_for_jobs(1) == [LABEL]
        assert zebra.wait_for_queries(1) == 1

    @pytest.mark.parametrize(
        ("flags", "problems", "says"),
        [
            (
                {"paused": True},
                ("paused",),
                "is paused — press the pause (or feed) button on the printer to resume",
            ),
            (
                {"paper_out": True},
                ("paper out",),
                "is out of labels — load a new roll of labels and close the print head",
            ),
            (
                {"head_open": True},
                ("head open",),
                "has its print head open — close the print head until it clicks",
            ),
            (
                {"paper_out": True, "paused": True},
                ("paper out", "paused"),
                "is out of labels and is paused — load a new roll of labels and close the "
                "print head; then press the pause (or feed) button on the printer to resume",
            ),
        ],
    )
    def test_a_printer_that_cannot_print_gets_nothing_and_says_what_to_do(
        self,
        zebra: ZebraListener,
        flags: dict[str, bool],
        problems: tuple[str, ...],
        says: str,
    ) -> None:
        zebra.set_status(**flags)
        transport = TcpTransport(
            "127.0.0.1", zebra.port, timeout=2, check_status=True, name="Bench 1 Zebra"
        )

        with pytest.raises(PrinterNotReady) as caught:
            transport.send(LABEL)

        assert str(caught.value) == f"Printer 'Bench 1 Zebra' at {zebra.address} {says}"
        assert caught.value.problems == problems and caught.value.retryable
        assert zebra.jobs == []

    def test_the_label_goes_once_the_printer_is_ready_again(self, zebra: ZebraListener) -> None:
        transport = TcpTransport("127.0.0.1", zebra.port, timeout=2, check_status=True)
        zebra.set_status(paused=True)
        with pytest.raises(PrinterNotReady):
            transport.send(LABEL)

        zebra.set_status()
        transport.send(LABEL)

        assert zebra.wait_for_jobs(1) == [LABEL]

    def test_a_printer_that_never_answers_hs_is_printed_to_and_asked_only_once(self) -> None:
        with ZebraListener(answer_status=False) as silent:
            transport = TcpTransport(
                "127.0.0.1", silent.port, timeout=2, status_timeout=0.2, check_status=True
            )

            transport.send(b"^XA^FD1^FS^XZ")
            transport.send(b"^XA^FD2^FS^XZ")

            assert silent.wait_for_jobs(2) == [b"^XA^FD1^FS^XZ", b"^XA^FD2^FS^XZ"]
            assert silent.wait_for_queries(1) == 1

    def test_a_silent_printer_is_asked_again_after_a_while(self) -> None:
        with ZebraListener(answer_status=False, paused=True) as zebra:
            transport = TcpTransport(
                "127.0.0.1",
                zebra.port,
                timeout=2,
                status_timeout=0.2,
                check_status=True,
                silent=SilentPrinters(recheck=0.0),
            )
            transport.send(LABEL)
            zebra.wait_for_jobs(1)

            zebra.answer_status = True  # e.g. its firmware was updated
            with pytest.raises(PrinterNotReady, match="is paused"):
                transport.send(LABEL)

            assert len(zebra.jobs) == 1

    def test_transports_sharing_a_memo_ask_a_silent_printer_once(self) -> None:
        silent_printers = SilentPrinters()
        with ZebraListener(answer_status=False) as silent:
            for n in range(3):  # e.g. one transport per print-queue pass
                TcpTransport(
                    "127.0.0.1",
                    silent.port,
                    timeout=2,
                    status_timeout=0.2,
                    check_status=True,
                    silent=silent_printers,
                ).send(f"^XA^FD{n}^FS^XZ".encode())

            assert len(silent.wait_for_jobs(3)) == 3
            assert silent.wait_for_queries(1) == 1

    def test_the_memo_forgets_a_silent_printer_after_a_while(self) -> None:
        now = [1000.0]
        memo = SilentPrinters(recheck=300.0, clock=lambda: now[0])
        memo.note_silent("10.0.0.9:9100")

        before = memo.is_silent("10.0.0.9:9100")
        now[0] += 300.0
        after = memo.is_silent("10.0.0.9:9100")

        assert (before, after, memo.is_silent("10.0.0.8:9100")) == (True, False, False)

    def test_an_unreachable_printer_is_offline_with_nothing_sent(self) -> None:
        transport = TcpTransport("127.0.0.1", free_port(), timeout=1, check_status=True)

        with pytest.raises(PrinterOffline) as caught:
            transport.send(LABEL)

        assert "refused" in str(caught.value) and not caught.value.partial

    def test_without_the_check_a_paused_printer_is_sent_the_label(
        self, zebra: ZebraListener
    ) -> None:
        zebra.set_status(paused=True)

        TcpTransport("127.0.0.1", zebra.port, timeout=2).send(LABEL)

        assert zebra.wait_for_jobs(1) == [LABEL]
        assert zebra.queries == 0
