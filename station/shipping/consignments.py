"""The consignment list: newest first, filtered, each with its label and Cin7 write-back state."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import Session, selectinload

from station.listing import LIKE_ESCAPE, Paging, contains, fetch_page
from station.models import (
    Consignment,
    ConsignmentParcel,
    ConsignmentState,
    JobState,
    OutboxItem,
    OutboxState,
)
from station.shipping.carriers import carrier_codes
from station.shipping.labels import label_states
from station.shipping.manifests import carrier_name

# The first state found here names a mixed set: a failure shows before anything in flight.
PRINT_ORDER = (JobState.FAILED, JobState.SENDING, JobState.QUEUED)
WRITEBACK_ORDER = (OutboxState.FAILED, OutboxState.SENDING, OutboxState.PENDING, OutboxState.DONE)


@dataclass(frozen=True, slots=True)
class ConsignmentFilter:
    """What the list is narrowed to; ``created_from``/``created_before`` are UTC bounds."""

    state: ConsignmentState | None = None
    carrier: str | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None
    search: str = ""  # part of a ticket number or an order reference


@dataclass(frozen=True, slots=True)
class ConsignmentRow:
    """A consignment with where its labels and its Cin7 write-backs are."""

    consignment: Consignment
    printed: str  # printed, queued, sending, failed, not printed, no label
    writeback: str  # done, pending, sending, failed, cancelled, none


@dataclass(frozen=True, slots=True)
class ConsignmentPage(Paging):
    """One page of the consignment list."""

    rows: list[ConsignmentRow]


def list_consignments(
    session: Session, filters: ConsignmentFilter, *, page: int = 1, per_page: int = 50
) -> ConsignmentPage:
    """The consignments matching ``filters``, newest first."""
    stmt = (
        select(Consignment)
        .where(*_conditions(filters))
        .options(
            selectinload(Consignment.parcels),
            selectinload(Consignment.order),
            selectinload(Consignment.created_by),
        )
        .order_by(Consignment.created_at.desc(), Consignment.id.desc())
    )
    consignments, paging = fetch_page(session, stmt, page=page, per_page=per_page)
    return ConsignmentPage(
        page=paging.page,
        per_page=per_page,
        total=paging.total,
        rows=consignment_rows(session, consignments),
    )


def consignment_rows(session: Session, consignments: Iterable[Consignment]) -> list[ConsignmentRow]:
    """Each consignment with its label and write-back state (three queries however many)."""
    consignments = list(consignments)
    ids = [c.id for c in consignments]
    labels = label_states(session, ids)
    writebacks: dict[int, list[OutboxState]] = {}
    if ids:
        for consignment_id, state in session.execute(
            select(OutboxItem.consignment_id, OutboxItem.state).where(
                OutboxItem.consignment_id.in_(ids)
            )
        ):
            writebacks.setdefault(consignment_id, []).append(state)
    return [
        ConsignmentRow(
            c,
            _printed(c, labels.get(c.id, [])),
            _written_back(writebacks.get(c.id, [])),
        )
        for c in consignments
    ]


def known_carriers(session: Session) -> list[tuple[str, str]]:
    """Every carrier set up or found on a consignment, as (code, name)."""
    seen = session.scalars(select(Consignment.carrier).distinct().order_by(Consignment.carrier))
    codes = dict.fromkeys([*carrier_codes(session), *seen])
    return [(code, carrier_name(session, code)) for code in codes]


def _conditions(filters: ConsignmentFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.state is not None:
        conditions.append(Consignment.state == filters.state)
    if filters.carrier:
        conditions.append(Consignment.carrier == filters.carrier)
    if filters.created_from is not None:
        conditions.append(Consignment.created_at >= filters.created_from)
    if filters.created_before is not None:
        conditions.append(Consignment.created_at < filters.created_before)
    search = filters.search.strip()[:64]
    if search:
        like = contains(search)
        ticket = exists().where(
            ConsignmentParcel.consignment_id == Consignment.id,
            ConsignmentParcel.ticket.ilike(like, escape=LIKE_ESCAPE),
        )
        conditions.append(Consignment.reference.ilike(like, escape=LIKE_ESCAPE) | ticket)
    return conditions


def _printed(consignment: Consignment, states: list[JobState]) -> str:
    if not consignment.labels:
        return "no label"
    if not states:
        return "not printed"
    return next((s.value for s in PRINT_ORDER if s in states), "printed")


def _written_back(states: list[OutboxState]) -> str:
    if not states:
        return "none"
    return next((s.value for s in WRITEBACK_ORDER if s in states), OutboxState.CANCELLED.value)
