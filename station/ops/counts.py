"""Counting rows by state, for the doctor's report and the metrics alike."""

from __future__ import annotations

import enum
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

E = TypeVar("E", bound=enum.Enum)


def counts_by_state(
    session: Session, column: InstrumentedAttribute[E], states: type[E]
) -> dict[E, int]:
    """How many rows are in each of ``states`` (zero for none), grouped by ``column``."""
    found = {
        state: count
        for state, count in session.execute(select(column, func.count()).group_by(column))
    }
    return {state: found.get(state, 0) for state in states}
