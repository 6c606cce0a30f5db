"""Consignments with known times, carriers, packers and money, for the report tests."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from station.models import (
    Consignment,
    ConsignmentParcel,
    ConsignmentState,
    CostCentre,
    Role,
    User,
)
from station.reports.period import Period, ReportQuery

AUCKLAND = ZoneInfo("Pacific/Auckland")  # UTC+13 in November (daylight time)
NOVEMBER = Period(date(2026, 11, 23), date(2026, 11, 26), AUCKLAND)
_keys = itertools.count(1)


def at(text: str) -> datetime:
    """A UTC time written as 'YYYY-MM-DD HH:MM'."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def user(session: Session, username: str, display_name: str | None = None) -> User:
    row = User(username=username, display_name=display_name, password_hash="x", role=Role.PACKER)
    session.add(row)
    session.flush()
    return row


def centre(session: Session, name: str) -> CostCentre:
    row = CostCentre(name=name)
    session.add(row)
    session.flush()
    return row


def sent(session: Session, when: str, *, parcels: int = 1, **fields: Any) -> Consignment:
    """A consignment booked at ``when`` (UTC): own label Overnight, cost 10.00, charged 12.00,
    in ``parcels`` parcels of 1 kg."""
    values: dict[str, Any] = {
        "idempotency_key": f"report-{next(_keys)}",
        "state": ConsignmentState.CREATED,
        "carrier": "ownlabel",
        "service_code": "ON",
        "service_name": "Overnight",
        "reference": "SO-1",
        "shipment": {},
        "cost": Decimal("10.00"),
        "charged": Decimal("12.00"),
        "created_at": at(when),
    }
    values.update(fields)
    row = Consignment(**values)
    row.parcels = [ConsignmentParcel(position=n, weight_grams=1000) for n in range(1, parcels + 1)]
    session.add(row)
    session.flush()
    return row


def november(**filters: Any) -> ReportQuery:
    """23 to 26 November 2026 in Auckland, with any filters."""
    return ReportQuery(NOVEMBER, **filters)
