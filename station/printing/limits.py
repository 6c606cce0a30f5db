"""Where printers may send bytes: raw TCP only to printing ports, files only under one folder.

A manager types a printer's host, port and folder, so a printer is also a way to make the
server connect to any port or write any file. Two limits close that:

- Raw TCP (``tcp9100``, ``escpos-network``) goes only to ports printers listen on for raw
  jobs: 9100–9102 (HP JetDirect and compatible print servers: 9100 for the first port,
  9101 and 9102 for the second and third; Zebra, Epson and most label printers use 9100)
  and 6101 (Zebra's alternate raw port). ``PRINTER_EXTRA_PORTS`` ("9200, 10000-10010")
  lets an admin allow others.
- File and virtual printers write only under ``PRINT_FILES_ROOT`` (default: ``labels`` in
  the instance folder), which may not lie under the static folder the web serves.

Both are checked when a printer is saved (with a sentence) and again before each send.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app

from printers.files import directory_problem
from printers.formats import PrinterSpec, TransportKind

PRINTING_PORTS = frozenset({9100, 9101, 9102, 6101})
_RAW_TCP = (TransportKind.TCP, TransportKind.ESCPOS_NETWORK)
_FOLDERS = (TransportKind.FILE, TransportKind.VIRTUAL)


@dataclass(frozen=True, slots=True)
class PrinterLimits:
    """The folder file printers write under and the extra raw TCP ports an admin allowed."""

    files_root: Path
    extra_ports: tuple[range, ...] = ()

    def port_allowed(self, port: int) -> bool:
        """True for a printing port or one the admin allowed."""
        return port in PRINTING_PORTS or any(port in allowed for allowed in self.extra_ports)

    def problems(self, spec: PrinterSpec, *, on_agent: bool = False) -> list[str]:
        """What in ``spec`` these limits refuse, as sentences (empty when nothing).

        A print agent's folder is taken under the agent's own folder, so there it must
        be relative.
        """
        found = []
        if spec.transport in _RAW_TCP and not self.port_allowed(spec.port):
            ports = ", ".join(str(p) for p in sorted(PRINTING_PORTS))
            found.append(
                f"Port {spec.port} is not a printing port ({ports}); an admin can allow it "
                "with STATION_PRINTER_EXTRA_PORTS."
            )
        if spec.transport in _FOLDERS and spec.directory:
            problem = directory_problem(spec.directory, self.files_root, absolute=not on_agent)
            if problem:
                found.append(problem)
        return found


def limits_from_config(
    config: Any, *, instance_path: str, static_folder: str | None
) -> PrinterLimits:
    """The limits ``config`` sets; ValueError with a sentence for a setting that cannot be used."""
    root = Path(config.get("PRINT_FILES_ROOT") or Path(instance_path) / "labels")
    if not root.is_absolute():
        root = Path(instance_path) / root
    if static_folder and root.resolve().is_relative_to(Path(static_folder).resolve()):
        raise ValueError(
            f"PRINT_FILES_ROOT ({root}) is inside the static folder the web serves to anyone; "
            "choose a folder outside it (the default is labels in the instance folder)."
        )
    return PrinterLimits(root, _port_ranges(str(config.get("PRINTER_EXTRA_PORTS") or "")))


def _port_ranges(text: str) -> tuple[range, ...]:
    ranges = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        low, _, high = part.partition("-")
        try:
            first, last = int(low), int(high or low)
        except ValueError:
            raise ValueError(
                f"PRINTER_EXTRA_PORTS has {part!r}; write ports and ranges like 9200, 10000-10010."
            ) from None
        if not 0 < first <= last < 65536:
            raise ValueError(f"PRINTER_EXTRA_PORTS has {part!r}, not ports between 1 and 65535.")
        ranges.append(range(first, last + 1))
    return tuple(ranges)


def init_app(app: Flask) -> None:
    """Read the printer limits once; a bad setting stops the app from starting."""
    limits = limits_from_config(
        app.config, instance_path=app.instance_path, static_folder=app.static_folder
    )
    app.extensions["station.printer_limits"] = limits


def printer_limits() -> PrinterLimits:
    """The current app's printer limits."""
    return current_app.extensions["station.printer_limits"]
