"""Bench scales on a serial port: the weight lines they stream, read as grams.

Most bench and parcel scales can send their display continuously (or on every change)
as one ASCII line, ended by CR and/or LF. The shapes seen most often:

    ST,GS,+  1.234kg     A&D, CAS and many indicators: ST stable, US unstable, OL overload;
                         GS gross, NT net, TR tare
    S S      1.234 kg    Mettler Toledo SICS: "S S" stable, "S D" still moving
       1.234 kg ?        plain weight (Ohaus and others); a "?" after it means not settled
    W 01234 g            a one-letter prefix, then the weight

Units g, kg, lb and oz become whole grams. A line that carries no stability flag says
nothing either way (``stable=None``); :class:`WeightFilter` then treats a weight as
settled once it repeats. Lines that are not weights (overload, menus, noise from a
wrong baud rate) are skipped.

Errors: ``ScaleError`` — the port cannot be opened, or went away while reading (a
USB adapter unplugged). Opening it again later may work.

Tests read from pyserial's ``loop://`` port or a pty pair: no scale needed.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import serial

log = logging.getLogger(__name__)

GRAMS_PER_UNIT: dict[str, Decimal] = {
    "g": Decimal(1),
    "kg": Decimal(1000),
    "lb": Decimal("453.59237"),
    "lbs": Decimal("453.59237"),
    "oz": Decimal("28.349523125"),
}
_MAX_LINE = 128  # longer runs without an end of line are noise (usually a wrong baud rate)

_HEADER = re.compile(r"^(?P<flag>ST|US|OL)\s*,\s*(?:(?:GS|NT|TR|G|N)\s*,\s*)?", re.IGNORECASE)
_SICS = re.compile(r"^S\s+(?P<flag>[SD+\-I])\s+", re.IGNORECASE)
_WEIGHT = re.compile(
    r"""^(?:[A-Za-z]\s+)?                      # a one-letter prefix: "W 01234 g"
        (?P<sign>[+-])?\s*
        (?P<number>\d+(?:\.\d*)?|\.\d+)\s*
        (?P<unit>kg|g|lbs|lb|oz)
        (?P<tail>[\s?A-Za-z]*)$                 # "?" (not settled), "G"/"N" (gross/net)
    """,
    re.IGNORECASE | re.VERBOSE,
)


class ScaleError(Exception):
    """The scale's port cannot be opened or stopped working; the message names the port."""


@dataclass(frozen=True, slots=True)
class WeightReading:
    """One line from the scale as grams; ``stable`` is None when the scale does not say."""

    grams: int
    stable: bool | None
    raw: str


def parse_weight_line(line: str | bytes) -> WeightReading | None:
    """The weight on one line from a scale, or None when the line is not a weight."""
    if isinstance(line, bytes):
        line = line.decode("ascii", "replace")
    raw = "".join(c for c in line if c.isprintable()).strip()
    text, stable = raw, None
    if header := _HEADER.match(text):
        flag = header["flag"].upper()
        if flag == "OL":
            return None  # overload: the display shows no weight
        stable, text = flag == "ST", text[header.end() :]
    elif sics := _SICS.match(text):
        flag = sics["flag"].upper()
        if flag not in "SD":
            return None  # "S +" overload, "S -" underload, "S I" busy
        stable, text = flag == "S", text[sics.end() :]
    match = _WEIGHT.match(text.strip())
    if match is None:
        return None
    if "?" in match["tail"]:
        stable = False
    grams = Decimal(match["number"]) * GRAMS_PER_UNIT[match["unit"].lower()]
    whole = int(grams.quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return WeightReading(-whole if match["sign"] == "-" else whole, stable, raw)


class WeightFilter:
    """Picks the readings worth sending: settled weights, when they change or every so often.

    A reading the scale marks stable is settled; one it marks unstable is not. A reading
    without a flag is settled once the same weight came ``settle`` times in a row.
    Negative weights (a scale that needs zeroing) are never sent.
    """

    def __init__(
        self,
        *,
        settle: int = 3,
        repeat: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settle = settle
        self.repeat = repeat
        self._clock = clock
        self._run_grams: int | None = None
        self._run_length = 0
        self._sent: tuple[int, float] | None = None  # grams and when they were last sent

    def wants(self, reading: WeightReading) -> bool:
        """True when ``reading`` is settled and is news (changed, or last sent long ago)."""
        if reading.grams == self._run_grams:
            self._run_length += 1
        else:
            self._run_grams, self._run_length = reading.grams, 1
        if reading.grams < 0 or reading.stable is False:
            return False
        if reading.stable is None and self._run_length < self.settle:
            return False
        if self._sent is None or self._sent[0] != reading.grams:
            return True
        return self._clock() - self._sent[1] >= self.repeat

    def sent(self, reading: WeightReading) -> None:
        """Note that ``reading`` reached the server."""
        self._sent = (reading.grams, self._clock())


class SerialScale:
    """Reads weight lines from a serial port or pyserial URL (``/dev/ttyUSB0``, ``COM3``,
    ``socket://host:port``, ``loop://``); an open pyserial port may be passed instead."""

    def __init__(
        self,
        port: str | serial.SerialBase,
        *,
        baudrate: int = 9600,
        timeout: float = 0.5,
    ) -> None:
        self.baudrate = baudrate
        self.timeout = timeout
        if isinstance(port, str):
            self.port_name, self._port = port, None
        else:
            self.port_name, self._port = str(port.port or port.name), port
        self._buffer = b""

    def __repr__(self) -> str:
        return f"SerialScale({self.port_name!r}, {self.baudrate} baud)"

    def open(self) -> None:
        """Open the port (if it is not open); ScaleError says why it cannot be."""
        if self._port is not None and self._port.is_open:
            return
        try:
            self._port = serial.serial_for_url(
                self.port_name, baudrate=self.baudrate, timeout=self.timeout
            )
        except (serial.SerialException, ValueError, OSError) as exc:
            raise ScaleError(f"cannot open the scale on {self.port_name}: {exc}") from None
        self._buffer = b""

    def close(self) -> None:
        """Close the port; ``open()`` or reading opens it again."""
        port, self._port = self._port, None
        if port is not None:
            port.close()

    def discard_waiting(self) -> None:
        """Drop what the scale sent meanwhile, so the next reading is a fresh one."""
        self._buffer = b""
        if self._port is not None and self._port.is_open:
            try:
                self._port.reset_input_buffer()
            except (serial.SerialException, OSError) as exc:
                raise ScaleError(f"the scale on {self.port_name} stopped working: {exc}") from None

    def read_line(self) -> str | None:
        """The next non-empty line, or None when none arrived within the timeout."""
        self.open()
        assert self._port is not None
        deadline = time.monotonic() + self.timeout
        while True:
            line = self._take_line()
            if line:
                return line
            if line is not None:
                continue  # an empty line: the LF of a CR LF that came in two reads
            if time.monotonic() >= deadline:
                return None
            try:
                chunk = self._port.read(self._port.in_waiting or 1)
            except (serial.SerialException, OSError) as exc:
                self.close()
                raise ScaleError(f"the scale on {self.port_name} stopped working: {exc}") from None
            self._buffer += chunk

    def _take_line(self) -> str | None:
        """Split one line off the buffer (CR, LF or CRLF ends a line)."""
        match = re.search(rb"\r\n|[\r\n]", self._buffer)
        if match is None:
            if len(self._buffer) > _MAX_LINE:
                log.debug("scale %s: dropping %d bytes without a line end", self, len(self._buffer))
                self._buffer = b""
            return None
        line, self._buffer = self._buffer[: match.start()], self._buffer[match.end() :]
        return line.decode("ascii", "replace")

    def readings(self, stop: threading.Event | None = None) -> Iterator[WeightReading]:
        """Weights as they arrive, until ``stop`` is set; lines that are not weights are skipped."""
        while stop is None or not stop.is_set():
            line = self.read_line()
            if line is None:
                continue
            reading = parse_weight_line(line)
            if reading is None:
                log.debug("scale %s: not a weight: %r", self, line[:40])
                continue
            yield reading
