"""Printer errors: one tree, so callers catch what they can act on.

    PrinterError            anything that stopped a label from printing
    ├── PrinterOffline      cannot connect, connection dropped or timed out; the message
    │                       names the printer and its address. Retrying later may work.
    │                       ``partial`` is True when some bytes may already have arrived.
    ├── PrinterNotReady     the printer answered a status query but cannot print:
    │                       paper out, head open, paused (``problems`` lists them).
    │                       Retrying after someone fixes the printer may work.
    └── PrinterRejected     bad configuration or data the printer cannot take (unknown
                            CUPS queue, wrong format, image too wide, missing ``lp``).
                            Retrying the same job will not help.

``retryable`` on each class tells a print queue whether a later attempt can succeed.
"""

from __future__ import annotations

from typing import ClassVar


class PrinterError(Exception):
    """Base class: a label could not be printed."""

    retryable: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        printer: str | None = None,
        address: str | None = None,
        problems: tuple[str, ...] = (),
    ):
        super().__init__(message)
        self.message = message
        self.printer = printer
        self.address = address
        self.problems = problems


class PrinterOffline(PrinterError):
    """The printer could not be reached (refused, unreachable, timed out, dropped)."""

    retryable = True

    def __init__(
        self,
        message: str,
        *,
        printer: str | None = None,
        address: str | None = None,
        partial: bool = False,
    ):
        super().__init__(message, printer=printer, address=address)
        self.partial = partial

    @classmethod
    def naming(
        cls, who: str, why: str, *, printer: str, address: str, partial: bool = False
    ) -> PrinterOffline:
        """ "<who> is offline: <why>", for the printer named ``printer`` at ``address``."""
        return cls(f"{who} is offline: {why}", printer=printer, address=address, partial=partial)


class PrinterNotReady(PrinterError):
    """The printer is reachable but reports it cannot print (paper out, head open...)."""

    retryable = True


class PrinterRejected(PrinterError):
    """The configuration or the data is wrong; the same job will fail again."""
