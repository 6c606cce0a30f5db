"""The transport seam: where label bytes go, and how the printer says it is doing."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from printers.errors import PrinterNotReady, PrinterOffline


class PrinterFormat(enum.Enum):
    """What kind of bytes a printer takes: the renderer's output format."""

    ZPL = "zpl"
    PDF = "pdf"
    PNG_RASTER = "png"  # a PNG of the whole label; ESC/POS transports rasterise it

    @property
    def suffix(self) -> str:
        """File name suffix for saved jobs of this format (".zpl", ".pdf", ".png")."""
        return "." + self.value


def sniff_format(data: bytes) -> PrinterFormat | None:
    """Guess a job's format from its first bytes; None when it is none of ours."""
    head = data[:1024].lstrip()
    if head.startswith(b"%PDF-"):
        return PrinterFormat.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PrinterFormat.PNG_RASTER
    if b"^XA" in head.upper() or head.startswith((b"^", b"~")):
        return PrinterFormat.ZPL
    return None


def format_address(host: str, port: int) -> str:
    """Write host and port as one address ("10.0.0.5:9100", "[::1]:9100")."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@dataclass(frozen=True, slots=True)
class PrinterStatus:
    """What a printer said about itself (or what we could tell without asking)."""

    online: bool
    ready: bool
    problems: tuple[str, ...] = ()
    detail: str | None = None
    known: bool = True  # False: reachable, but it would not say how it is (printed to anyway)

    @classmethod
    def ok(cls, detail: str | None = None) -> PrinterStatus:
        """Online and ready."""
        return cls(online=True, ready=True, detail=detail)

    @classmethod
    def unknown(cls, detail: str) -> PrinterStatus:
        """Reachable but silent about its state; treated as ready (many printers never say)."""
        return cls(online=True, ready=True, detail=detail, known=False)

    @classmethod
    def offline(cls, detail: str) -> PrinterStatus:
        """Not reachable; detail says why."""
        return cls(online=False, ready=False, detail=detail)

    @classmethod
    def not_ready(cls, problems: tuple[str, ...], detail: str | None = None) -> PrinterStatus:
        """Reachable but cannot print because of problems."""
        return cls(online=True, ready=False, problems=tuple(problems), detail=detail)


@runtime_checkable
class Transport(Protocol):
    """Sends a rendered label's bytes to one printer and reports its status."""

    name: str

    def send(self, data: bytes) -> None:
        """Deliver one job; raise a PrinterError subclass when it could not be delivered."""
        ...

    def status(self) -> PrinterStatus:
        """Report whether the printer is online and ready; never raises for offline."""
        ...


def ensure_ready(transport: Transport) -> PrinterStatus:
    """Ask for status and raise PrinterOffline/PrinterNotReady unless ready."""
    status = transport.status()
    reason = f": {status.detail}" if status.detail else ""
    if not status.online:
        raise PrinterOffline(
            f"printer {transport.name!r} is offline{reason}", printer=transport.name
        )
    if not status.ready:
        raise PrinterNotReady.naming(
            f"printer {transport.name!r}", status.problems, printer=transport.name
        )
    return status
