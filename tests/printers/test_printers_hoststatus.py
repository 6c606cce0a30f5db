"""Zebra ~HS replies parse into PrinterStatus (field positions per the ZPL guide)."""

from __future__ import annotations

import pytest

from printers.hoststatus import parse_host_status, reply_complete
from printers.testing import host_status_reply

# Replies as a ZD420 (and the ZPL guide's example) send them: three STX..ETX CR LF strings.
READY = (
    b"\x02030,0,0,1218,000,0,0,0,000,0,0,0\x03\r\n"
    b"\x02001,0,0,0,0,2,6,0,00000000,1,000\x03\r\n"
    b"\x021234,0\x03\r\n"
)
PAPER_OUT = (  # string 1, field 2 = 1
    b"\x02030,1,0,1218,000,0,0,0,000,0,0,0\x03\r\n"
    b"\x02001,0,0,0,0,2,6,0,00000000,1,000\x03\r\n"
    b"\x021234,0\x03\r\n"
)
PAUSED = (  # string 1, field 3 = 1
    b"\x02030,0,1,1218,002,0,0,0,000,0,0,0\x03\r\n"
    b"\x02001,0,0,0,0,2,6,0,00000000,1,000\x03\r\n"
    b"\x021234,0\x03\r\n"
)
HEAD_OPEN = (  # string 2, field 3 = 1
    b"\x02030,0,0,1218,000,0,0,0,000,0,0,0\x03\r\n"
    b"\x02001,0,1,0,0,2,6,0,00000000,1,000\x03\r\n"
    b"\x021234,0\x03\r\n"
)
# Paper out while the head is open and the printer paused (it pauses itself on errors).
EVERYTHING = (
    b"\x02030,1,1,1218,000,0,0,0,000,0,0,0\x03\r\n"
    b"\x02001,0,1,0,0,2,6,0,00000000,1,000\x03\r\n"
    b"\x021234,0\x03\r\n"
)


def test_ready_reply_is_ready() -> None:
    status = parse_host_status(READY)
    assert (status.online, status.ready, status.problems, status.detail) == (True, True, (), None)


@pytest.mark.parametrize(
    ("reply", "problems"),
    [
        (PAPER_OUT, ("paper out",)),
        (PAUSED, ("paused",)),
        (HEAD_OPEN, ("head open",)),
        (EVERYTHING, ("paper out", "head open", "paused")),
    ],
)
def test_flags_become_problems(reply: bytes, problems: tuple[str, ...]) -> None:
    status = parse_host_status(reply)
    assert status.online and not status.ready
    assert status.problems == problems


def test_formats_waiting_are_detail_not_problem() -> None:
    assert parse_host_status(PAUSED).detail == "2 format(s) waiting in the buffer"


def test_ribbon_out_counts_only_in_thermal_transfer_mode() -> None:
    direct = READY.replace(b"001,0,0,0,0,2", b"001,0,0,1,0,2")
    transfer = READY.replace(b"001,0,0,0,0,2", b"001,0,0,1,1,2")
    assert parse_host_status(direct).ready
    assert parse_host_status(transfer).problems == ("ribbon out",)


def test_reply_split_across_reads_and_with_extra_fields() -> None:
    longer = READY.replace(b"1,000\x03", b"1,000,0,0\x03")
    assert parse_host_status(longer).ready
    assert not reply_complete(READY[:40])
    assert reply_complete(READY)


@pytest.mark.parametrize("junk", [b"", b"hello", b"\x02030\x03", READY[:40]])
def test_not_a_reply_raises_value_error(junk: bytes) -> None:
    with pytest.raises(ValueError):
        parse_host_status(junk)


def test_fake_printer_reply_matches_samples() -> None:
    assert host_status_reply() == READY
    assert host_status_reply(paper_out=True) == PAPER_OUT
    assert host_status_reply(head_open=True) == HEAD_OPEN
