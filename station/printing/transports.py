"""Turning a configured :class:`Printer` into a ``printers`` transport."""

from __future__ import annotations

from printers.errors import PrinterRejected
from printers.formats import PrinterSpec, build_transport
from printers.tcp import SilentPrinters
from printers.transport import PrinterStatus, Transport
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


class RefusedTransport:
    """Stands in for a printer the limits refuse: every job fails with the reason.

    The print queue then marks the jobs failed with a sentence the packer and the
    manager see, instead of the whole pass (or the bench's request) stopping on it.
    """

    def __init__(self, name: str, refusal: PrinterRejected) -> None:
        self.name = name
        self._refusal = refusal

    def send(self, data: bytes) -> None:
        """Refuse the job with the printer's refusal."""
        raise self._refusal

    def status(self) -> PrinterStatus:
        """Offline, saying why."""
        return PrinterStatus.offline(str(self._refusal))


def queue_transport(printer: Printer, *, silent: SilentPrinters | None = None) -> Transport:
    """``transport_for``, or a transport that fails each job when the limits refuse it."""
    try:
        return transport_for(printer, silent=silent)
    except PrinterRejected as exc:
        return RefusedTransport(printer.name, exc)
