"""EscposTransport: a PNG label becomes GS v 0 raster data and a cut, through python-escpos."""

from __future__ import annotations

import io
import os
import select
import time
from pathlib import Path

import pytest
from escpos.printer import Serial, Usb
from PIL import Image

from printers.errors import PrinterOffline, PrinterRejected
from printers.escpos import EscposTransport
from printers.testing import ZebraListener

GS_V_0 = b"\x1dv0"  # GS v 0: print raster bit image
FEED_6 = b"\x1bd\x06"  # ESC d 6: print and feed six lines (python-escpos feeds before a cut)
FULL_CUT = b"\x1dV\x00"  # GS V 0: full cut


def png(width: int, height: int) -> bytes:
    """A black label of this size with a white border, as PNG bytes."""
    image = Image.new("L", (width, height), 0)
    image.paste(255, (0, 0, width, 2))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def expected_header(width: int, height: int) -> bytes:
    """GS v 0, normal density, width in bytes and height in dots, each little-endian."""
    width_bytes = (width + 7) // 8
    return GS_V_0 + b"\x00" + width_bytes.to_bytes(2, "little") + height.to_bytes(2, "little")


def test_dummy_gets_raster_then_cut() -> None:
    transport = EscposTransport.dummy()
    transport.send(png(16, 8))
    output = transport.printer.output
    assert output.startswith(expected_header(16, 8))
    raster = output[len(expected_header(16, 8)) :][: 2 * 8]
    assert raster[:2] == b"\x00\x00"  # white top rows print nothing
    assert raster[-2:] == b"\xff\xff"  # black rows print every dot
    assert output.endswith(FEED_6 + FULL_CUT)
    assert len(output) == len(expected_header(16, 8)) + 16 + len(FEED_6 + FULL_CUT)


def test_tall_label_is_sent_in_fragments() -> None:
    transport = EscposTransport.dummy(name="T")
    transport.send(png(812, 1218))  # 4x6 in at 203 dpi
    output = transport.printer.output
    assert output.count(GS_V_0) == 2  # python-escpos splits at 960 rows
    assert output.startswith(expected_header(812, 960))
    assert output.endswith(FULL_CUT)


def test_file_printer_writes_the_same_bytes(tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    dummy = EscposTransport.dummy()
    dummy.send(png(24, 4))
    EscposTransport.file(device).send(png(24, 4))
    assert device.read_bytes() == dummy.printer.output


def test_network_printer_gets_the_bytes_then_can_go_offline() -> None:
    dummy = EscposTransport.dummy()
    dummy.send(png(8, 8))
    with ZebraListener() as printer:
        transport = EscposTransport.network("127.0.0.1", printer.port, timeout=1, name="Receipt")
        transport.send(png(8, 8))
        transport.send(png(8, 8))
        assert printer.wait_for_jobs(2) == [dummy.printer.output] * 2
        printer.stop()
        with pytest.raises(PrinterOffline) as caught:
            transport.send(png(8, 8))
        assert "Receipt" in str(caught.value) and f"127.0.0.1:{printer.port}" in str(caught.value)
        printer.start()
        transport.send(png(8, 8))  # python-escpos reopens after a failed open
        assert len(printer.wait_for_jobs(3)) == 3


def test_not_a_png_is_rejected() -> None:
    with pytest.raises(PrinterRejected, match="PNG"):
        EscposTransport.dummy().send(b"^XA^XZ")


def test_image_wider_than_the_profile_is_rejected() -> None:
    transport = EscposTransport.dummy(profile="ZJ-5870")  # 384 dots wide
    with pytest.raises(PrinterRejected, match="too wide"):
        transport.send(png(812, 16))


def test_unknown_profile_and_image_mode_are_rejected() -> None:
    with pytest.raises(PrinterRejected, match="profile"):
        EscposTransport.network("127.0.0.1", profile="no-such-printer")
    with pytest.raises(PrinterRejected, match="image mode"):
        EscposTransport(EscposTransport.dummy().printer, name="x", impl="sixel")


def test_usb_needs_pyusb_or_builds() -> None:
    if Usb.is_usable():
        assert EscposTransport.usb(0x04B8, 0x0202).address == "usb:04b8:0202"
    else:
        with pytest.raises(PrinterRejected, match="pyusb"):
            EscposTransport.usb(0x04B8, 0x0202)


def read_until(fd: int, end: bytes, timeout: float = 2.0) -> bytes:
    """Read from fd until the data ends with ``end`` or the deadline passes."""
    deadline, received = time.monotonic() + timeout, b""
    while not received.endswith(end):
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
            break
        received += os.read(fd, 4096)
    return received


@pytest.mark.skipif(not Serial.is_usable(), reason="pyserial is not installed")
def test_serial_printer_over_a_pty() -> None:
    controller, device = os.openpty()
    try:
        transport = EscposTransport.serial(os.ttyname(device), 9600, timeout=1)
        transport.send(png(8, 2))  # small enough for the pty's buffer
        received = read_until(controller, FULL_CUT)
    finally:
        os.close(controller)
        os.close(device)
    dummy = EscposTransport.dummy()
    dummy.send(png(8, 2))
    assert received == dummy.printer.output
