"""Printer configuration: what format a printer takes, its label, and how to reach it."""

from __future__ import annotations

import enum
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from printers.cups import CupsTransport, valid_option_name, valid_queue_name
from printers.errors import PrinterRejected
from printers.files import FileTransport, MemoryTransport, VirtualPrinter
from printers.tcp import SilentPrinters, TcpTransport
from printers.transport import PrinterFormat, Transport, format_address

__all__ = ["LABEL_SIZES", "PrinterFormat", "PrinterSpec", "TransportKind", "build_transport"]

#: Label sizes by name: (width, height) in millimetres. A4 is for PDF (office printers) only.
LABEL_SIZES: Mapping[str, tuple[float, float]] = {
    "4x6": (101.6, 152.4),
    "100x150": (100.0, 150.0),
    "100x175": (100.0, 175.0),
    "A6": (105.0, 148.0),
    "A4": (210.0, 297.0),
}
THERMAL_DPI = (203, 300)
# A font file stored on a ZPL printer: drive letter, a short name, a TrueType extension.
PRINTER_FONT = re.compile(r"[A-Z]:[A-Z0-9_-]{1,16}\.(?:TTF|TTE)", re.IGNORECASE)
SERIAL_BAUDRATES = (2400, 4800, 9600, 19200, 38400, 57600, 115200)
STATUS_CHECK_TIMEOUT = 1.0  # seconds a ZPL printer has to answer ~HS before a label


class TransportKind(enum.Enum):
    """Where the bytes go."""

    TCP = "tcp9100"
    CUPS = "cups"
    FILE = "file"
    VIRTUAL = "virtual"
    MEMORY = "memory"
    ESCPOS_NETWORK = "escpos-network"
    ESCPOS_USB = "escpos-usb"
    ESCPOS_SERIAL = "escpos-serial"
    ESCPOS_FILE = "escpos-file"

    @property
    def is_escpos(self) -> bool:
        """True for the python-escpos transports (they take PNG raster labels)."""
        return self.value.startswith("escpos-")


_ANY_FORMAT = {TransportKind.FILE, TransportKind.VIRTUAL, TransportKind.MEMORY}
_ALLOWED: Mapping[PrinterFormat, frozenset[TransportKind]] = {
    PrinterFormat.ZPL: frozenset(_ANY_FORMAT | {TransportKind.TCP, TransportKind.CUPS}),
    PrinterFormat.PDF: frozenset(_ANY_FORMAT | {TransportKind.CUPS}),
    PrinterFormat.PNG_RASTER: frozenset(_ANY_FORMAT | {k for k in TransportKind if k.is_escpos}),
}


# How people name each way of reaching a printer (the printers list, the add form).
TRANSPORT_NAMES: dict[TransportKind, str] = {
    TransportKind.TCP: "Network label printer",
    TransportKind.CUPS: "CUPS queue",
    TransportKind.FILE: "Files in a folder",
    TransportKind.VIRTUAL: "Virtual printer (labels shown in the browser)",
    TransportKind.MEMORY: "In memory (for tests)",
    TransportKind.ESCPOS_NETWORK: "ESC/POS network printer",
    TransportKind.ESCPOS_USB: "ESC/POS printer on USB",
    TransportKind.ESCPOS_SERIAL: "ESC/POS printer on a serial port",
    TransportKind.ESCPOS_FILE: "ESC/POS device file",
}
FORMAT_NAMES = {"zpl": "ZPL", "pdf": "PDF", "png": "raster"}


@dataclass(frozen=True, slots=True)
class PrinterSpec:
    """One configured printer; ``problems()`` lists everything wrong with it at once."""

    name: str
    format: PrinterFormat
    transport: TransportKind
    label_size: str = "4x6"
    dpi: int = 203
    host: str | None = None  # tcp9100, escpos-network
    port: int = 9100  # tcp9100, escpos-network
    queue: str | None = None  # cups
    cups_options: tuple[tuple[str, str], ...] = ()  # cups
    directory: str | None = None  # file, virtual
    device: str | None = None  # escpos-serial, escpos-file (e.g. /dev/ttyUSB0, /dev/usb/lp0)
    baudrate: int = 9600  # escpos-serial
    usb_vendor_id: int | None = None  # escpos-usb
    usb_product_id: int | None = None  # escpos-usb
    escpos_profile: str | None = None  # escpos-*: python-escpos printer profile name
    timeout: float = 5.0  # seconds, for network transports (CUPS: lp run time x6)
    check_status: bool = True  # tcp9100: ask ~HS before each label (silence counts as ready)
    unicode_font: str | None = None  # zpl: a Unicode TrueType font on the printer (E:ANMDJ.TTF)

    @property
    def size_mm(self) -> tuple[float, float]:
        """Label width and height in millimetres."""
        return LABEL_SIZES[self.label_size]

    @property
    def size_dots(self) -> tuple[int, int]:
        """Label width and height in printer dots at this dpi."""
        width, height = self.size_mm
        return round(width / 25.4 * self.dpi), round(height / 25.4 * self.dpi)

    @property
    def connection(self) -> str:
        """How Station reaches it, for people: "Network label printer (ZPL, port 9100)"."""
        name = TRANSPORT_NAMES.get(self.transport, self.transport.value)
        details = [FORMAT_NAMES.get(self.format.value, self.format.value)]
        if self.transport in (TransportKind.TCP, TransportKind.ESCPOS_NETWORK):
            details.append(f"port {self.port}")
        return f"{name} ({', '.join(details)})"

    @property
    def address(self) -> str:
        """Where the printer is, for people ("10.0.0.9:9100", "cups:zebra")."""
        kind = self.transport
        if kind in (TransportKind.TCP, TransportKind.ESCPOS_NETWORK):
            return format_address(self.host or "?", self.port)
        if kind is TransportKind.CUPS:
            return f"cups:{self.queue}"
        if kind in (TransportKind.FILE, TransportKind.VIRTUAL):
            return f"dir:{self.directory}"
        if kind is TransportKind.ESCPOS_USB:
            return f"usb:{self.usb_vendor_id or 0:04x}:{self.usb_product_id or 0:04x}"
        if kind is TransportKind.ESCPOS_SERIAL:
            return f"serial:{self.device}@{self.baudrate}"
        if kind is TransportKind.ESCPOS_FILE:
            return f"file:{self.device}"
        return "memory"

    def problems(self) -> tuple[str, ...]:
        """Every problem with this configuration (empty when it is usable)."""
        found: list[str] = []
        if not self.name or not self.name.strip() or not self.name.isprintable():
            found.append("name must be non-empty printable text")
        elif len(self.name) > 100:
            found.append("name must be at most 100 characters")
        fmt_ok = isinstance(self.format, PrinterFormat)
        kind_ok = isinstance(self.transport, TransportKind)
        if self.format is None:
            found.append("format is required")
        elif not fmt_ok:
            found.append(f"format {self.format!r} is not one of zpl, pdf, png")
        if self.transport is None:
            found.append("transport is required")
        elif not kind_ok:
            known = ", ".join(k.value for k in TransportKind)
            found.append(f"transport {self.transport!r} is not one of {known}")
        if self.label_size not in LABEL_SIZES:
            found.append(f"label size {self.label_size!r} is not one of {', '.join(LABEL_SIZES)}")
        elif self.label_size == "A4" and self.format is not PrinterFormat.PDF:
            found.append("A4 labels are for PDF printers only")
        if fmt_ok:
            found += self._format_problems()
        if fmt_ok and kind_ok and self.transport not in _ALLOWED[self.format]:
            found.append(self._mismatch())
        if kind_ok:
            found += self._address_problems()
        if not 0 < self.timeout <= 300:
            found.append("timeout must be between 0 and 300 seconds")
        return tuple(found)

    def _format_problems(self) -> list[str]:
        """Problems with dpi (and the Unicode font) for this format."""
        found = []
        if self.unicode_font is not None:
            if self.format is not PrinterFormat.ZPL:
                found.append("a Unicode font on the printer is for ZPL printers only")
            elif not PRINTER_FONT.fullmatch(self.unicode_font):
                found.append(
                    f"Unicode font {self.unicode_font!r} is not a font file on the printer, "
                    "such as E:ANMDJ.TTF"
                )
        return found + self._dpi_problems()

    def _dpi_problems(self) -> list[str]:
        """Problems with dpi for this format."""
        if self.format is PrinterFormat.PDF:
            if not 72 <= self.dpi <= 2400:
                return [f"dpi {self.dpi} is not between 72 and 2400"]
            return []
        if self.dpi not in THERMAL_DPI:
            what = "ZPL" if self.format is PrinterFormat.ZPL else "raster"
            return [f"{what} printers need dpi 203 or 300, not {self.dpi}"]
        return []

    def _mismatch(self) -> str:
        """Why this format cannot go over this transport."""
        if self.transport.is_escpos:
            return "ESC/POS printers need the PNG raster format"
        if self.format is PrinterFormat.PNG_RASTER:
            return f"PNG raster labels need an ESC/POS transport, not {self.transport.value}"
        return f"{self.format.value} cannot go over {self.transport.value}; use a CUPS queue"

    def _address_problems(self) -> list[str]:
        """Problems with the address fields this transport needs."""
        kind, found = self.transport, []
        if kind in (TransportKind.TCP, TransportKind.ESCPOS_NETWORK):
            if not self.host or any(c.isspace() for c in self.host):
                found.append(f"{kind.value} needs a host name or IP address")
            if not 0 < self.port < 65536:
                found.append(f"port {self.port} is not between 1 and 65535")
        elif kind is TransportKind.CUPS:
            if not self.queue or not valid_queue_name(self.queue):
                found.append("cups needs a queue name (letters, digits, _ . @ / -)")
            bad = [key for key, _ in self.cups_options if not valid_option_name(key)]
            found += [f"CUPS option {key!r} is not valid" for key in bad]
        elif kind in (TransportKind.FILE, TransportKind.VIRTUAL):
            if not self.directory:
                found.append(f"{kind.value} needs a directory")
        elif kind in (TransportKind.ESCPOS_SERIAL, TransportKind.ESCPOS_FILE):
            if not self.device:
                found.append(f"{kind.value} needs a device path")
            if kind is TransportKind.ESCPOS_SERIAL and self.baudrate not in SERIAL_BAUDRATES:
                found.append(f"baud rate {self.baudrate} is not a standard rate")
        elif kind is TransportKind.ESCPOS_USB:
            for label, value in (("vendor", self.usb_vendor_id), ("product", self.usb_product_id)):
                if value is None or not 0 < value <= 0xFFFF:
                    found.append(f"escpos-usb needs a USB {label} id between 0x0001 and 0xffff")
        return found

    def check(self) -> PrinterSpec:
        """Return self, or raise PrinterRejected listing every problem."""
        problems = self.problems()
        if problems:
            raise PrinterRejected(
                f"printer {self.name!r} is misconfigured: " + "; ".join(problems),
                printer=self.name,
                problems=problems,
            )
        return self

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON or TOML storage (defaults left out)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in ("name", "format", "transport") or value != f.default:
                out[f.name] = value.value if isinstance(value, enum.Enum) else value
        if "cups_options" in out:
            out["cups_options"] = dict(self.cups_options)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PrinterSpec:
        """Build and check a spec from stored values; PrinterRejected lists all problems."""
        known = {f.name for f in fields(cls)}
        problems = [f"unknown setting {key!r}" for key in data if key not in known]
        values = {key: value for key, value in data.items() if key in known}
        for key, enum_type in (("format", PrinterFormat), ("transport", TransportKind)):
            value = values.get(key)
            values[key] = None if value is None else _enum(enum_type, value) or value
        for key in _TEXT_FIELDS:
            if values.get(key) is not None and not isinstance(values[key], str):
                problems.append(f"{key} must be text, not {values.pop(key)!r}")
        values.setdefault("name", "")
        for key in _INT_FIELDS:
            if values.get(key) is not None:
                number = _int(values[key])
                if number is None:
                    problems.append(f"{key} {values.pop(key)!r} is not a whole number")
                else:
                    values[key] = number
        for key in _BOOL_FIELDS:
            if key in values:
                flag = _bool(values[key])
                if flag is None:
                    problems.append(f"{key} {values.pop(key)!r} is not true or false")
                else:
                    values[key] = flag
        if "timeout" in values:
            try:
                values["timeout"] = float(values["timeout"])
            except (TypeError, ValueError):
                problems.append(f"timeout {values.pop('timeout')!r} is not a number")
        options = values.get("cups_options", ())
        if isinstance(options, Mapping):
            options = options.items()
        try:
            values["cups_options"] = tuple((str(k), str(v)) for k, v in options)
        except (TypeError, ValueError):
            problems.append("cups_options must be a table of option = value")
            values.pop("cups_options")
        spec = cls(**values)
        problems += spec.problems()
        if problems:
            raise PrinterRejected(
                f"printer {spec.name!r} is misconfigured: " + "; ".join(problems),
                printer=spec.name or None,
                problems=tuple(problems),
            )
        return spec


_TEXT_FIELDS = (
    "name",
    "label_size",
    "host",
    "queue",
    "directory",
    "device",
    "escpos_profile",
    "unicode_font",
)
_INT_FIELDS = ("dpi", "port", "baudrate", "usb_vendor_id", "usb_product_id")
_BOOL_FIELDS = ("check_status",)
_TRUE, _FALSE = {"true", "yes", "on", "1", "y"}, {"false", "no", "off", "0", "n"}


def _bool(value: Any) -> bool | None:
    """True or False from a bool or text ("on", "false", "1"), or None."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    return True if text in _TRUE else False if text in _FALSE else None


def _enum(enum_type: type[enum.Enum], value: Any) -> Any:
    """An enum member by value or name (any case), or None."""
    if isinstance(value, enum_type):
        return value
    text = str(value).strip()
    for member in enum_type:
        if text.lower() in (str(member.value).lower(), member.name.lower()):
            return member
    return None


def _int(value: Any) -> int | None:
    """A whole number from an int or text ("9100", "0x04b8"), or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip(), 0)
    except ValueError:
        return None


def build_transport(
    spec: PrinterSpec,
    *,
    silent: SilentPrinters | None = None,
    files_root: Path | None = None,
) -> Transport:
    """The transport a checked spec describes (PrinterRejected if it has problems).

    ``silent`` is the memo of ZPL printers that do not answer ``~HS``, shared by the
    transports one process builds so a silent printer is not asked before every label.
    ``files_root`` is the one folder file and virtual printers may write under.
    """
    spec.check()
    kind, name = spec.transport, spec.name
    if kind is TransportKind.TCP:
        return TcpTransport(
            spec.host or "",
            spec.port,
            timeout=spec.timeout,
            status_timeout=min(spec.timeout, STATUS_CHECK_TIMEOUT),
            check_status=spec.check_status,
            silent=silent,
            name=name,
        )
    if kind is TransportKind.CUPS:
        options, timeout = dict(spec.cups_options), spec.timeout * 6
        return CupsTransport(spec.queue or "", options=options, timeout=timeout, name=name)
    if kind is TransportKind.FILE:
        directory = spec.directory or ""
        return FileTransport(directory, suffix=spec.format.suffix, name=name, root=files_root)
    if kind is TransportKind.VIRTUAL:
        return VirtualPrinter(spec.directory or "", name=name, root=files_root)
    if kind is TransportKind.MEMORY:
        return MemoryTransport(name)
    # python-escpos is imported only for an ESC/POS printer (see ``printers``' docstring)
    from printers.escpos import EscposTransport

    profile = spec.escpos_profile
    if kind is TransportKind.ESCPOS_NETWORK:
        return EscposTransport.network(
            spec.host or "", spec.port, timeout=spec.timeout, name=name, profile=profile
        )
    if kind is TransportKind.ESCPOS_USB:
        vendor, product = spec.usb_vendor_id or 0, spec.usb_product_id or 0
        return EscposTransport.usb(vendor, product, name=name, profile=profile)
    if kind is TransportKind.ESCPOS_SERIAL:
        return EscposTransport.serial(spec.device or "", spec.baudrate, name=name, profile=profile)
    return EscposTransport.file(spec.device or "", name=name, profile=profile)
