"""Printers and the print queue."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from station.db import Base, utcnow, value_enum
from station.queue import QueueRow, QueueStates


class PrintAgent(Base):
    """A bench PC running ``station agent`` for the printers attached to it."""

    __tablename__ = "print_agent"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the token
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_seen_at: Mapped[datetime | None]
    # The latest reading from the scale on this bench PC (``station agent --scale``).
    scale_grams: Mapped[int | None]
    scale_stable: Mapped[bool | None]
    scale_read_at: Mapped[datetime | None]

    printers: Mapped[list[Printer]] = relationship(back_populates="agent")


class Printer(Base):
    """A configured printer; ``spec`` is a ``printers.formats.PrinterSpec`` as a dict.

    A printer with an ``agent`` is reached through that bench PC's print agent; the
    server's own workers never send to it.
    """

    __tablename__ = "printer"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON)
    bench: Mapped[str | None] = mapped_column(String(64))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("print_agent.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    jobs: Mapped[list[PrintJob]] = relationship(back_populates="printer")
    agent: Mapped[PrintAgent | None] = relationship(back_populates="printers")


class JobState(enum.Enum):
    """Where a print job is: queued → sending → done | failed."""

    QUEUED = "queued"
    SENDING = "sending"
    DONE = "done"
    FAILED = "failed"


class PrintJob(QueueRow, Base):
    """One set of bytes for one printer, recorded before it is sent.

    A consignment's label jobs point at it by ``consignment_id`` (first prints and every
    reprint); a parcel's first label job also carries its ``parcel`` number. Consignments
    are voided, never deleted, and a voided one's jobs must stay linked to be withheld,
    so the foreign key has no ``ON DELETE``: deleting a consignment with jobs is refused.
    """

    __tablename__ = "print_job"
    queue_states = QueueStates(JobState.QUEUED, JobState.SENDING, JobState.DONE, JobState.FAILED)
    __table_args__ = (Index("ix_print_job_printer_state", "printer_id", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    printer_id: Mapped[int] = mapped_column(ForeignKey("printer.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # label, test, slip, reprint
    description: Mapped[str] = mapped_column(String(255), default="")
    format: Mapped[str] = mapped_column(String(8))  # zpl, pdf, png
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    state: Mapped[JobState] = mapped_column(
        value_enum(JobState),
        default=JobState.QUEUED,
    )
    dedupe_key: Mapped[str | None] = mapped_column(String(128), unique=True)
    reprint_of_id: Mapped[int | None] = mapped_column(ForeignKey("print_job.id"))
    # The consignment whose label this job prints (its first print and every reprint)
    consignment_id: Mapped[int | None] = mapped_column(ForeignKey("consignment.id"), index=True)
    parcel: Mapped[int | None]  # the parcel whose first label this is; None on reprints
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    printer: Mapped[Printer] = relationship(back_populates="jobs")
