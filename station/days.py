"""Calendar days people type: ISO dates within the years Station can count days in.

Python's dates end at 0001-01-01 and 9999-12-31, so the day after 9999-12-31 (the end
of a range) or midnight of 0001-01-01 in a zone behind UTC cannot be computed. Typed
days are held to ``FIRST_DAY``..``LAST_DAY``, far from both ends and wide enough for any
order, report or audit search.
"""

from __future__ import annotations

from datetime import date

FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def out_of_range(day: date) -> str | None:
    """Why ``day`` cannot be used (the words after the date), or None when it can."""
    if FIRST_DAY <= day <= LAST_DAY:
        return None
    return f"is not between {FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"


def parse_day(text: str) -> date:
    """The ISO date in ``text``; ValueError saying why (the words after the date) otherwise."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError("is not a date (YYYY-MM-DD)") from None
    problem = out_of_range(day)
    if problem:
        raise ValueError(problem)
    return day
