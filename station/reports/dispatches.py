"""How many consignments went out: per day, per hour of the day, per packer, per service.

A dispatch is an outgoing consignment booked with its carrier (``created``) in the
period: voided ones are left out, and so are attempts still pending or failed and
returns. Days and hours are the warehouse's local ones (the period's time zone).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from station.models import Consignment, ConsignmentState, User
from station.reports.period import ReportQuery
from station.shipping.manifests import carrier_name

NO_PACKER = "(not recorded)"


@dataclass(frozen=True, slots=True)
class Tally:
    """One row of a count: what was counted and how many."""

    label: str
    count: int


def dispatched(query: ReportQuery) -> tuple[ColumnElement[bool], ...]:
    """The conditions a consignment meets to count as dispatched for ``query``."""
    conditions = [
        Consignment.state == ConsignmentState.CREATED,
        Consignment.is_return.is_(False),
        Consignment.created_at >= query.period.start,
        Consignment.created_at < query.period.end,
    ]
    if query.carrier:
        conditions.append(Consignment.carrier == query.carrier)
    if query.packer_id is not None:
        conditions.append(Consignment.created_by_id == query.packer_id)
    return tuple(conditions)


def per_day(session: Session, query: ReportQuery) -> list[Tally]:
    """Dispatches on each local day of the period (days without any count 0), oldest first."""
    counts = Counter(moment.date() for moment in _local_times(session, query))
    return [Tally(day.isoformat(), counts[day]) for day in query.period.days]


def per_hour(session: Session, query: ReportQuery) -> list[Tally]:
    """Dispatches in each local hour of the day (00:00 to 23:00) over the whole period."""
    counts = Counter(moment.hour for moment in _local_times(session, query))
    return [Tally(f"{hour:02d}:00", counts[hour]) for hour in range(24)]


def per_packer(session: Session, query: ReportQuery) -> list[Tally]:
    """Dispatches per person who shipped them, most first (bulk runs record nobody)."""
    rows = session.execute(
        select(User.display_name, User.username, func.count(Consignment.id))
        .select_from(Consignment)
        .outerjoin(User, User.id == Consignment.created_by_id)
        .where(*dispatched(query))
        .group_by(Consignment.created_by_id, User.display_name, User.username)
    )
    return _most_first(Tally(shown or name or NO_PACKER, int(n)) for shown, name, n in rows)


def per_service(session: Session, query: ReportQuery) -> list[Tally]:
    """Dispatches per carrier and service, most first."""
    rows = session.execute(
        select(
            Consignment.carrier,
            Consignment.service_code,
            func.max(Consignment.service_name),
            func.count(Consignment.id),
        )
        .where(*dispatched(query))
        .group_by(Consignment.carrier, Consignment.service_code)
    )
    names: dict[str, str] = {}
    return _most_first(
        Tally(f"{names.setdefault(code, carrier_name(session, code))} · {name or service}", int(n))
        for code, service, name, n in rows
    )


def _most_first(tallies: Iterable[Tally]) -> list[Tally]:
    return sorted(tallies, key=lambda tally: (-tally.count, tally.label))


def _local_times(session: Session, query: ReportQuery) -> list[datetime]:
    """When each dispatch was recorded, on the warehouse's clock."""
    moments = session.scalars(select(Consignment.created_at).where(*dispatched(query)))
    return [query.period.local(moment) for moment in moments]
