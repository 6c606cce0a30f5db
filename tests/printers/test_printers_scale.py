"""Bench scales: weight lines parsed to grams, read from pyserial's loop:// and a real pty."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest
import serial

from printers.scale import (
    ScaleError,
    SerialScale,
    WeightFilter,
    WeightReading,
    parse_weight_line,
)
from tests.fakes.clock import FakeClock


@pytest.mark.parametrize(
    ("line", "grams", "stable"),
    [
        ("ST,GS,+  1.234kg", 1234, True),
        ("US,GS,+  1.234kg", 1234, False),
        ("ST,NT,+000.250 kg", 250, True),
        ("US,NT,-  0.012kg", -12, False),
        ("S S     1.234 kg", 1234, True),
        ("S D     0.500 kg", 500, False),
        ("   1.234 kg", 1234, None),
        ("   1.234 kg ?", 1234, False),
        ("   1.234 kg G", 1234, None),
        ("W 01234 g", 1234, None),
        ("+  0.000kg", 0, None),
        ("  2.5 lb", 1134, None),
        ("  2.5 lbs", 1134, None),
        ("  16 oz", 454, None),
        ("  0.5 g", 1, None),  # half a gram rounds up
        ("\x02ST,GS,+  1.234kg\x03", 1234, True),  # framing bytes some indicators add
    ],
)
def test_weight_lines_become_grams(line: str, grams: int, stable: bool | None) -> None:
    reading = parse_weight_line(line)

    assert reading is not None
    assert (reading.grams, reading.stable) == (grams, stable)


@pytest.mark.parametrize(
    "line",
    ["", "   ", "OL,GS,+9999999kg", "S +", "S I", "hello", "1,234 kg", "5 lb 3 oz", "12.3"],
)
def test_lines_that_are_not_a_weight_are_none(line: str) -> None:
    assert parse_weight_line(line) is None


def test_bytes_are_read_as_ascii() -> None:
    assert parse_weight_line(b"ST,GS,+  0.750kg\r\n") == WeightReading(
        750, True, "ST,GS,+  0.750kg"
    )


def reading(grams: int, stable: bool | None = True) -> WeightReading:
    return WeightReading(grams, stable, f"{grams} g")


class TestWeightFilter:
    def test_a_settled_weight_is_sent_once_then_again_after_a_while(self) -> None:
        clock = FakeClock()
        weights = WeightFilter(repeat=10.0, clock=clock)

        first = weights.wants(reading(1234))
        weights.sent(reading(1234))
        clock.now += 9
        soon = weights.wants(reading(1234))
        clock.now += 1
        later = weights.wants(reading(1234))

        assert (first, soon, later) == (True, False, True)

    def test_a_new_weight_is_sent_at_once(self) -> None:
        weights = WeightFilter(clock=FakeClock())
        weights.sent(reading(1234))

        assert weights.wants(reading(2000))

    def test_unsettled_and_negative_weights_are_never_sent(self) -> None:
        weights = WeightFilter(clock=FakeClock())

        assert not weights.wants(reading(1234, stable=False))
        assert not weights.wants(reading(-12, stable=True))

    def test_a_weight_without_a_flag_is_settled_when_it_repeats(self) -> None:
        weights = WeightFilter(settle=3, clock=FakeClock())
        moving = [weights.wants(reading(g, None)) for g in (900, 1100, 1234, 1234)]

        settled = weights.wants(reading(1234, None))

        assert moving == [False] * 4 and settled


@pytest.fixture
def loop() -> Iterator[serial.SerialBase]:
    port = serial.serial_for_url("loop://", timeout=0.2)
    yield port
    port.close()


class TestSerialScaleOnLoop:
    """pyserial's loop:// port reads back what is written to it: the scale's side of a cable."""

    def test_lines_end_with_cr_lf_or_both(self, loop: serial.SerialBase) -> None:
        scale = SerialScale(loop, timeout=0.2)
        loop.write(b"ST,GS,+  1.000kg\r\nST,GS,+  2.000kg\rST,GS,+  3.000kg\n")

        lines = [scale.read_line() for _ in range(4)]

        assert lines == ["ST,GS,+  1.000kg", "ST,GS,+  2.000kg", "ST,GS,+  3.000kg", None]

    def test_a_line_split_across_reads_is_joined(self, loop: serial.SerialBase) -> None:
        scale = SerialScale(loop, timeout=0.2)
        loop.write(b"ST,GS,+  1.2")
        partial = scale.read_line()
        loop.write(b"34kg\r\n")

        assert (partial, scale.read_line()) == (None, "ST,GS,+  1.234kg")

    def test_readings_skip_noise_and_a_wrong_baud_rate(self, loop: serial.SerialBase) -> None:
        scale = SerialScale(loop, timeout=0.2)
        loop.write(b"\xfe\xff" * 200)  # what a scale at the wrong baud rate looks like
        loop.write(b"\r\nZERO\r\nUS,GS,+  0.998kg\r\nST,GS,+  1.002kg\r\n")

        readings = scale.readings()
        got = [next(readings), next(readings)]

        assert [(r.grams, r.stable) for r in got] == [(998, False), (1002, True)]


@pytest.fixture
def pty_port() -> Iterator[tuple[int, str]]:
    """A pty pair: write to the first fd as the scale, open the path as its serial port."""
    scale_end, port_end = os.openpty()
    yield scale_end, os.ttyname(port_end)
    for fd in (scale_end, port_end):
        with contextlib.suppress(OSError):
            os.close(fd)


class TestSerialScaleOnAPty:
    def test_weights_arrive_through_a_real_tty_at_the_set_baud_rate(
        self, pty_port: tuple[int, str]
    ) -> None:
        scale_end, path = pty_port
        scale = SerialScale(path, baudrate=4800, timeout=0.3)
        scale.open()
        os.write(scale_end, b"   1.234 kg\r\n   1.234 kg ?\r\n")

        readings = scale.readings()
        got = [next(readings), next(readings)]
        scale.close()

        assert [(r.grams, r.stable) for r in got] == [(1234, None), (1234, False)]

    def test_a_scale_that_goes_away_is_a_scale_error(self, pty_port: tuple[int, str]) -> None:
        scale_end, path = pty_port
        scale = SerialScale(path, timeout=0.3)
        scale.open()
        os.close(scale_end)  # the USB adapter was unplugged

        with pytest.raises(ScaleError, match=f"the scale on {path} stopped working"):
            scale.read_line()

    def test_a_missing_port_is_a_scale_error_naming_it(self) -> None:
        with pytest.raises(ScaleError, match="cannot open the scale on /dev/ttyNOPE0"):
            SerialScale("/dev/ttyNOPE0").open()
