"""Turning a configured :class:`Printer` into a ``printers`` transport."""

from __future__ import annotations

from printers.errors import PrinterRejected
from printers.formats import PrinterSpec, build_transport
from printers.tcp import SilentPrinters
from printers.transport import Transport
from station.models import Printer
from station.printing.limits import PrinterLimits, printer_limits


def printer_spec(printer: Printer) -> PrinterSpec:
    """The validated spec stored on ``printer``."""
    return PrinterSpec.from_dict({**printer.spec, "name": printer.name}).check()


def transport_for(
    printer: Printer,
    *,
    silent: SilentPrinters | None = None,
    limits: PrinterLimits | None = None,
) -> Transport:
    """The transport that reaches ``printer`` (``silent``: see ``build_transport``).

    Raises PrinterRejected when the printer breaks the limits (``limits``, by default the
    current app's): a port or folder saved before they applied is refused here.
    """
    limits = limits or printer_limits()
    spec = printer_spec(printer)
    problems = tuple(limits.problems(spec))
    if problems:
        raise PrinterRejected(
            f"printer {printer.name!r} is refused: " + " ".join(problems),
            printer=printer.name,
            problems=problems,
        )
    return build_transport(spec, silent=silent, files_root=limits.files_root)
