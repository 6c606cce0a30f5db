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

    @classmethod
    def naming(
        cls, who: str, problems: tuple[str, ...], *, printer: str, address: str | None = None
    ) -> PrinterNotReady:
        """ "<Who> is paused — press the pause (or feed) button…": what is wrong and what to do."""
        states, actions = [], []
        for problem in problems or ("not ready",):
            state, action = PROBLEM_HELP.get(problem, (f"reports {problem}", "check the printer"))
            states.append(state)
            if action not in actions:
                actions.append(action)
        message = f"{who[:1].upper()}{who[1:]} {' and '.join(states)} — {'; then '.join(actions)}"
        return cls(message, printer=printer, address=address, problems=tuple(problems))


#: What a person sees for each problem a printer reports, and what they should do about it.
PROBLEM_HELP: dict[str, tuple[str, str]] = {
    "paper out": ("is out of labels", "load a new roll of labels and close the print head"),
    "head open": ("has its print head open", "close the print head until it clicks"),
    "ribbon out": ("is out of ribbon", "load a new ribbon"),
    "head too hot": ("has an overheated print head", "let it cool down for a few minutes"),
    "paused": ("is paused", "press the pause (or feed) button on the printer to resume"),
}


class PrinterRejected(PrinterError):
    """The configuration or the data is wrong; the same job will fail again."""
