"""Printers: transports that take rendered label bytes to a printer, and their config.

Renderers (ZPL, PDF, PNG) live elsewhere and produce bytes; a Transport sends them.
This package imports nothing from ``station`` and no web framework.
"""

from __future__ import annotations

from printers.cups import CupsTransport
from printers.errors import PrinterError, PrinterNotReady, PrinterOffline, PrinterRejected
from printers.escpos import EscposTransport
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
