"""Printers: transports that take rendered label bytes to a printer, and their config.

Renderers (ZPL, PDF, PNG) live elsewhere and produce bytes; a Transport sends them.
This package imports nothing from ``station`` and no web framework.

python-escpos (about 10 MB resident once imported, with its printer profiles) is imported
only when an ESC/POS transport is built or ``EscposTransport`` is asked for: every web and
job worker imports this package, and most sites print on ZPL or PDF printers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from printers.cups import CupsTransport
from printers.errors import PrinterError, PrinterNotReady, PrinterOffline, PrinterRejected
from printers.files import FileTransport, MemoryTransport, VirtualJob, VirtualPrinter
from printers.formats import LABEL_SIZES, PrinterSpec, TransportKind, build_transport
from printers.hoststatus import parse_host_status
from printers.tcp import TcpTransport
from printers.transport import (
    PrinterFormat,
    PrinterStatus,
    Transport,
    ensure_ready,
    sniff_format,
)

if TYPE_CHECKING:
    from printers.escpos import EscposTransport

__all__ = [
    "LABEL_SIZES",
    "CupsTransport",
    "EscposTransport",
    "FileTransport",
    "MemoryTransport",
    "PrinterError",
    "PrinterFormat",
    "PrinterNotReady",
    "PrinterOffline",
    "PrinterRejected",
    "PrinterSpec",
    "PrinterStatus",
    "TcpTransport",
    "Transport",
    "TransportKind",
    "VirtualJob",
    "VirtualPrinter",
    "build_transport",
    "ensure_ready",
    "parse_host_status",
    "sniff_format",
]


def __getattr__(name: str) -> Any:
    """``printers.EscposTransport`` imports python-escpos on first use (see the docstring)."""
    if name == "EscposTransport":
        from printers.escpos import EscposTransport

        return EscposTransport
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
