"""Adding printers, test labels, and previews of what a job printed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from printers.errors import PrinterRejected
from printers.formats import PrinterSpec
from station.addresses import Address
from station.errors import StationError, problems_sentence
from station.jobs import jobs
from station.labels import LabelLayout
from station.models import (
    BulkDispatch,
    Consignment,
    JobState,
    PrintAgent,
    Printer,
    PrintJob,
    User,
)
from station.printing.limits import PrinterLimits
from station.printing.queue import queue_job
from station.printing.render import render_for_printer
from station.uow import UnitOfWork

VIRTUAL_PRINTER = "Virtual printer"


class PrinterSetupInvalid(StationError):
    """A printer cannot be saved; ``problems`` lists everything wrong at once."""

    def __init__(self, problems: tuple[str, ...]) -> None:
        super().__init__(problems_sentence(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class Preview:
    """How to show a job: a PNG image, or text for formats a browser cannot draw (ZPL)."""

    png: bytes | None
    text: str | None


def add_printer(
    session: Session,
    *,
    name: str,
    spec: dict[str, Any],
    bench: str | None = None,
    agent_id: int | None = None,
    limits: PrinterLimits,
) -> Printer:
    """Validate and store a printer; raises PrinterSetupInvalid with every problem.

    With ``agent_id`` the printer hangs off that bench PC's print agent. ``limits`` says
    which raw TCP ports and folders a printer may use.
    """
    printer = Printer()
    _apply(session, printer, name=name, spec=spec, bench=bench, agent_id=agent_id, limits=limits)
    session.add(printer)
    return printer


def _apply(
    session: Session,
    printer: Printer,
    *,
    name: str,
    spec: dict[str, Any],
    bench: str | None,
    agent_id: int | None,
    limits: PrinterLimits,
) -> None:
    """Check a printer's settings and write them to ``printer`` (new or existing)."""
    name = name.strip()
    problems: list[str] = []
    if not name:
        problems.append("a name is required")
    else:
        other = session.scalar(select(Printer.id).where(Printer.name == name))
        if other is not None and other != printer.id:
            problems.append(f"a printer called {name!r} already exists")
    cleaned = {k: v for k, v in spec.items() if v not in (None, "")}
    try:
        checked = PrinterSpec.from_dict({**cleaned, "name": name or "unnamed"}).check()
    except PrinterRejected as exc:
        problems.extend(exc.problems or (str(exc),))
        checked = None
    if checked is not None:
        problems.extend(limits.problems(checked, on_agent=agent_id is not None))
    if agent_id is not None and session.get(PrintAgent, agent_id) is None:
        problems.append("the chosen print agent does not exist")
    if problems or checked is None:
        raise PrinterSetupInvalid(tuple(problems))
    printer.name = name
    printer.spec = {k: v for k, v in checked.to_dict().items() if k != "name"}
    printer.bench = (bench or "").strip() or None
    printer.agent_id = agent_id


def create_printer(
    actor: User | None,
    *,
    name: str,
    spec: dict[str, Any],
    bench: str | None = None,
    agent_id: int | None = None,
    limits: PrinterLimits,
) -> Printer:
    """Add the printer a manager set up, and audit it; raises ``PrinterSetupInvalid``."""
    with UnitOfWork(actor) as uow:
        printer = add_printer(
            uow.session, name=name, spec=spec, bench=bench, agent_id=agent_id, limits=limits
        )
        uow.record("printer.created", target=printer, detail={"transport": spec.get("transport")})
        uow.commit()
    return printer


def update_printer(
    actor: User | None,
    printer: Printer,
    *,
    name: str,
    spec: dict[str, Any],
    bench: str | None = None,
    agent_id: int | None = None,
    limits: PrinterLimits,
) -> Printer:
    """Change a printer's settings as a manager edited them, and audit it.

    Raises ``PrinterSetupInvalid`` with every problem (the printer is left as it was).
    Stored settings ``spec`` does not name (CUPS options from a config file) are kept.
    Jobs already queued are sent with the new settings.
    """
    with UnitOfWork(actor) as uow:
        if not printer.active:
            raise PrinterSetupInvalid((f"{printer.name} is retired and can no longer be changed",))
        _apply(
            uow.session,
            printer,
            name=name,
            spec={**printer.spec, **spec},  # settings the form does not show are kept
            bench=bench,
            agent_id=agent_id,
            limits=limits,
        )
        uow.record("printer.updated", target=printer, detail={"transport": spec.get("transport")})
        uow.commit()
    return printer


@dataclass(frozen=True, slots=True)
class PrinterRemoved:
    """What removing a printer did: deleted outright, or retired because history points at it."""

    name: str
    retired: bool
    waiting_jobs: int = 0


def remove_printer(actor: User | None, printer: Printer) -> PrinterRemoved:
    """Delete a printer nothing points at; retire one with print jobs or consignments.

    A retired printer (``active=False``) is kept for the jobs and consignments that name
    it, drops out of every bench choice and is never sent to again. People who had it as
    their default printer lose that default either way.
    """
    name = printer.name
    with UnitOfWork(actor) as uow:
        session = uow.session
        for user in session.scalars(select(User).where(User.default_printer_id == printer.id)):
            user.default_printer_id = None
        if _has_history(session, printer):
            waiting = (
                session.scalar(
                    select(func.count(PrintJob.id)).where(
                        PrintJob.printer_id == printer.id,
                        PrintJob.state.in_((JobState.QUEUED, JobState.SENDING)),
                    )
                )
                or 0
            )
            printer.active = False
            uow.record("printer.retired", target=printer, detail={"waiting_jobs": waiting})
            uow.commit()
            return PrinterRemoved(name, retired=True, waiting_jobs=waiting)
        uow.record("printer.deleted", target=printer)
        session.delete(printer)
        uow.commit()
    return PrinterRemoved(name, retired=False)


def _has_history(session: Session, printer: Printer) -> bool:
    """Whether any print job, consignment or bulk dispatch names ``printer``."""
    return any(
        session.scalar(select(column).where(column == printer.id).limit(1)) is not None
        for column in (PrintJob.printer_id, Consignment.printer_id, BulkDispatch.printer_id)
    )


def send_test_print(actor: User | None, printer: Printer, *, today: date) -> PrintJob:
    """Queue a test label for ``printer``, audit it, and start its queue once committed."""
    printer_id = printer.id
    with UnitOfWork(actor) as uow:
        job = queue_test_print(uow.session, printer, today=today)
        uow.record("printer.test_printed", target=printer)
        uow.after_commit(lambda: jobs().print_queue(printer_id))
        uow.commit()
    return job


def ensure_virtual_printer(session: Session, directory: Path) -> Printer:
    """The demo's printer: PDF labels saved under ``directory`` and shown in the browser."""
    printer = session.scalar(select(Printer).where(Printer.name == VIRTUAL_PRINTER))
    if printer is None:
        printer = add_printer(
            session,
            name=VIRTUAL_PRINTER,
            spec={
                "format": "pdf",
                "transport": "virtual",
                "directory": str(directory),
                "label_size": "4x6",
            },
            bench="Bench 1",
            # The folder is Station's own choice here, not a manager's; sends still check
            # it against the app's PRINT_FILES_ROOT.
            limits=PrinterLimits(files_root=directory),
        )
    return printer


def test_label_bytes(printer: Printer, *, today: date) -> tuple[bytes, str]:
    """A sample label in the printer's own format, size and resolution."""
    layout = LabelLayout(
        sender=Address(
            name="Station", lines=("Test print",), city="Auckland", postcode="1010", country="NZ"
        ),
        receiver=Address(
            name=printer.name,
            company="Printer check",
            lines=("1 Queen Street",),
            city="Auckland",
            postcode="1010",
            country="New Zealand",
        ),
        service="TEST PRINT",
        carrier="Station",
        ticket=f"TEST{printer.id:06d}",
        tracking_url=None,
        parcel_index=1,
        parcel_count=1,
        weight_grams=1000,
        reference=f"PRINTER-{printer.id}",
        printed_on=today,
    )
    return render_for_printer(printer, layout)


def queue_test_print(session: Session, printer: Printer, *, today: date) -> PrintJob:
    """Queue a test label for ``printer``."""
    payload, fmt = test_label_bytes(printer, today=today)
    return queue_job(session, printer, payload, kind="test", format=fmt, description="Test print")


def preview(job: PrintJob) -> Preview:
    """A picture of what the job prints (ZPL is shown as its text)."""
    if job.format == "pdf":
        from station.labels.preview import render_png

        return Preview(png=render_png(job.payload, dpi=96), text=None)
    if job.format == "png":
        return Preview(png=job.payload, text=None)
    return Preview(png=None, text=job.payload.decode("ascii", errors="replace"))


def active_printers(session: Session) -> list[Printer]:
    """The printers in use, by name (for pickers)."""
    return list(session.scalars(select(Printer).where(Printer.active).order_by(Printer.name)))
