"""Turning a configured :class:`Printer` into a ``printers`` transport."""

from __future__ import annotations

from printers.formats import PrinterSpec, build_transport
from printers.tcp import SilentPrinters
from printers.transport import Transport
from station.models import Printer


def printer_spec(printer: Printer) -> PrinterSpec:
    """The validated spec stored on ``printer``."""
    return PrinterSpec.from_dict({**printer.spec, "name": printer.name}).check()


def transport_for(printer: Printer, *, silent: SilentPrinters | None = None) -> Transport:
    """The transport that reaches ``printer`` (``silent``: see ``build_transport``)."""
    return build_transport(printer_spec(printer), silent=silent)
