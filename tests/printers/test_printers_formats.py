"""PrinterSpec validation (every problem at once) and build_transport."""

from __future__ import annotations

from pathlib import Path

import pytest

from printers.cups import CupsTransport
from printers.errors import PrinterNotReady, PrinterRejected
from printers.escpos import EscposTransport
from printers.files import FileTransport, MemoryTransport, VirtualPrinter
from printers.formats import PrinterFormat, PrinterSpec, TransportKind, build_transport
from printers.tcp import TcpTransport
from printers.testing import ZebraListener
from printers.transport import sniff_format

ZPL, PDF, PNG = PrinterFormat.ZPL, PrinterFormat.PDF, PrinterFormat.PNG_RASTER
K = TransportKind


def test_sniff_format() -> None:
    assert sniff_format(b"^XA^FDx^FS^XZ") is ZPL
    assert sniff_format(b"\r\n~JA^XA^XZ") is ZPL
    assert sniff_format(b"%PDF-1.7\n") is PDF
    assert sniff_format(b"\x89PNG\r\n\x1a\n...") is PNG
    assert sniff_format(b"\x1b@hello") is None


def test_good_specs_have_no_problems(tmp_path: Path) -> None:
    specs = [
        PrinterSpec("Dock", ZPL, K.TCP, host="10.0.0.9", dpi=300, label_size="100x150"),
        PrinterSpec("Office", PDF, K.CUPS, label_size="A4", queue="HP_LaserJet", dpi=600),
        PrinterSpec("Receipt", PNG, K.ESCPOS_USB, usb_vendor_id=0x04B8, usb_product_id=0x0202),
        PrinterSpec("Serial", PNG, K.ESCPOS_SERIAL, device="/dev/ttyUSB0", baudrate=19200),
        PrinterSpec("Demo", ZPL, K.VIRTUAL, directory=str(tmp_path)),
    ]
    assert [spec.problems() for spec in specs] == [()] * len(specs)
    assert specs[0].check() is specs[0]
    assert specs[0].size_dots == (1181, 1772)
    assert PrinterSpec("4x6", ZPL, K.MEMORY).size_dots == (812, 1218)
    assert specs[0].address == "10.0.0.9:9100"


def test_every_problem_is_reported_at_once() -> None:
    spec = PrinterSpec(
        "", PrinterFormat.ZPL, K.ESCPOS_NETWORK, label_size="A4", dpi=600, port=0, timeout=0
    )
    problems = spec.problems()
    assert problems == (
        "name must be non-empty printable text",
        "A4 labels are for PDF printers only",
        "ZPL printers need dpi 203 or 300, not 600",
        "ESC/POS printers need the PNG raster format",
        "escpos-network needs a host name or IP address",
        "port 0 is not between 1 and 65535",
        "timeout must be between 0 and 300 seconds",
    )
    with pytest.raises(PrinterRejected) as caught:
        spec.check()
    assert caught.value.problems == problems
    assert all(p in str(caught.value) for p in problems)


@pytest.mark.parametrize(
    ("spec", "problem"),
    [
        (PrinterSpec("P", PDF, K.TCP, host="h"), "pdf cannot go over tcp9100; use a CUPS queue"),
        (PrinterSpec("P", PNG, K.CUPS, queue="q"), "PNG raster labels need an ESC/POS transport"),
        (PrinterSpec("P", ZPL, K.CUPS, queue="-o"), "cups needs a queue name"),
        (PrinterSpec("P", ZPL, K.FILE), "file needs a directory"),
        (PrinterSpec("P", PNG, K.ESCPOS_FILE), "escpos-file needs a device path"),
        (PrinterSpec("P", PNG, K.ESCPOS_SERIAL, device="/dev/x", baudrate=1234), "baud rate"),
        (
            PrinterSpec("P", PNG, K.ESCPOS_USB, usb_vendor_id=0x04B8),
            "escpos-usb needs a USB product",
        ),
        (PrinterSpec("P", ZPL, K.MEMORY, label_size="5x7"), "label size '5x7' is not one of"),
        (PrinterSpec("P", PNG, K.MEMORY, dpi=180), "raster printers need dpi 203 or 300"),
    ],
)
def test_single_problems(spec: PrinterSpec, problem: str) -> None:
    assert len(spec.problems()) == 1
    assert spec.problems()[0].startswith(problem)


def test_from_dict_converts_and_collects(tmp_path: Path) -> None:
    spec = PrinterSpec.from_dict(
        {
            "name": "Receipt",
            "format": "png",
            "transport": "escpos-usb",
            "usb_vendor_id": "0x04b8",
            "usb_product_id": 514,
            "dpi": "203",
        }
    )
    assert (spec.format, spec.usb_vendor_id, spec.usb_product_id, spec.dpi) == (
        PNG,
        0x04B8,
        0x0202,
        203,
    )
    assert PrinterSpec.from_dict(spec.to_dict()) == spec

    cups = PrinterSpec("Z", ZPL, K.CUPS, queue="zebra", cups_options=(("media", "w288h432"),))
    assert cups.to_dict()["cups_options"] == {"media": "w288h432"}
    assert PrinterSpec.from_dict(cups.to_dict()) == cups

    with pytest.raises(PrinterRejected) as caught:
        PrinterSpec.from_dict({"name": "X", "format": "epl", "port": "ninety", "colour": "red"})
    assert caught.value.problems == (
        "unknown setting 'colour'",
        "port 'ninety' is not a whole number",
        "format 'epl' is not one of zpl, pdf, png",
        "transport is required",
    )


def test_build_transport_for_each_kind(tmp_path: Path) -> None:
    built = [
        build_transport(PrinterSpec("a", ZPL, K.TCP, host="127.0.0.1")),
        build_transport(PrinterSpec("b", ZPL, K.CUPS, queue="zebra")),
        build_transport(PrinterSpec("c", PDF, K.FILE, directory=str(tmp_path / "c"))),
        build_transport(PrinterSpec("d", ZPL, K.VIRTUAL, directory=str(tmp_path / "d"))),
        build_transport(PrinterSpec("e", ZPL, K.MEMORY)),
        build_transport(PrinterSpec("f", PNG, K.ESCPOS_NETWORK, host="127.0.0.1")),
        build_transport(PrinterSpec("g", PNG, K.ESCPOS_FILE, device=str(tmp_path / "lp0"))),
    ]
    kinds = [
        TcpTransport,
        CupsTransport,
        FileTransport,
        VirtualPrinter,
        MemoryTransport,
        EscposTransport,
        EscposTransport,
    ]
    assert [type(t) for t in built] == kinds
    assert [t.name for t in built] == list("abcdefg")
    assert built[2].suffix == ".pdf"
    with pytest.raises(PrinterRejected, match="misconfigured"):
        build_transport(PrinterSpec("bad", ZPL, K.TCP))


def test_built_tcp_transport_prints(tmp_path: Path) -> None:
    with ZebraListener() as zebra:
        spec = PrinterSpec.from_dict(
            {
                "name": "Dock",
                "format": "zpl",
                "transport": "tcp9100",
                "host": "127.0.0.1",
                "port": zebra.port,
                "timeout": 2,
            }
        )
        build_transport(spec).send(b"^XA^XZ")
        assert zebra.wait_for_jobs(1) == [b"^XA^XZ"]


def test_network_zebras_check_their_status_unless_told_not_to() -> None:
    spec = PrinterSpec.from_dict(
        {"name": "Dock", "format": "zpl", "transport": "tcp9100", "host": "10.0.0.9"}
    )
    quiet = PrinterSpec.from_dict({**spec.to_dict(), "check_status": "off"})

    assert spec.check_status is True and "check_status" not in spec.to_dict()
    assert quiet.check_status is False and quiet.to_dict()["check_status"] is False
    assert PrinterSpec.from_dict(quiet.to_dict()) == quiet
    checked, unchecked = build_transport(spec), build_transport(quiet)
    assert isinstance(checked, TcpTransport) and isinstance(unchecked, TcpTransport)
    assert (checked.check_status, unchecked.check_status) == (True, False)
    assert checked.status_timeout == 1.0  # a silent printer delays a label by at most this


def test_check_status_must_be_true_or_false() -> None:
    with pytest.raises(PrinterRejected) as caught:
        PrinterSpec.from_dict(
            {"name": "D", "format": "zpl", "transport": "tcp9100", "host": "h", "check_status": 7}
        )
    assert caught.value.problems == ("check_status 7 is not true or false",)


def test_a_built_zebra_that_is_paused_gets_no_label() -> None:
    with ZebraListener(paused=True) as zebra:
        spec = PrinterSpec.from_dict(
            {
                "name": "Dock",
                "format": "zpl",
                "transport": "tcp9100",
                "host": "127.0.0.1",
                "port": zebra.port,
            }
        )
        with pytest.raises(PrinterNotReady, match="is paused — press the pause"):
            build_transport(spec).send(b"^XA^XZ")
        assert zebra.jobs == []


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"format": "pdf", "transport": "virtual", "directory": "x"}, "for ZPL printers only"),
        ({"format": "zpl", "transport": "memory"}, "is not a font file on the printer"),
    ],
)
def test_a_unicode_font_is_a_font_file_on_a_zpl_printer(data: dict[str, str], problem: str) -> None:
    with pytest.raises(PrinterRejected, match=problem):
        PrinterSpec.from_dict({"name": "P", "unicode_font": "E:ANMDJ TTF^XZ", **data})


def test_a_zebras_unicode_font_is_kept() -> None:
    spec = PrinterSpec.from_dict(
        {"name": "Z", "format": "zpl", "transport": "memory", "unicode_font": "E:ANMDJ.TTF"}
    )
    assert spec.unicode_font == "E:ANMDJ.TTF" and spec.to_dict()["unicode_font"] == "E:ANMDJ.TTF"
