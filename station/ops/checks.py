"""What every ``station doctor`` check returns, and the wording the checks share."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta


class Status(enum.Enum):
    """How a check came out."""

    OK = "OK"
    WARN = "WARN"
    FAIL = "FAIL"


Outcome = tuple[Status, str]  # what a check found, before it is named


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the doctor's report."""

    name: str
    status: Status
    detail: str

    def to_dict(self) -> dict[str, str]:
        """Plain values for ``--json``."""
        return {"name": self.name, "status": self.status.value, "detail": self.detail}


def first_line(exc: BaseException) -> str:
    """The first line of an error's message (SQLAlchemy appends pages of context)."""
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def ago(delta: timedelta) -> str:
    """A duration as people read it in a report: "40 s", "12 min", "3 h"."""
    seconds = int(delta.total_seconds())
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


def plural(count: int) -> str:
    """The plural "s" for ``count`` things."""
    return "" if count == 1 else "s"
