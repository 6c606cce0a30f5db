"""The days a report covers, in the warehouse's local time, and the filters beside them.

ReportRequestInvalid (a StationError) — a date or range cannot be used; the message says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from station.days import parse_day
from station.errors import StationError, problems_sentence

DEFAULT_DAYS = 14
MAX_DAYS = 366


class ReportRequestInvalid(StationError):
    """The dates asked for cannot be used; ``str()`` lists every problem."""


@dataclass(frozen=True, slots=True)
class Period:
    """Whole local days from ``first`` to ``last`` (both included) in time zone ``tz``."""

    first: date
    last: date
    tz: tzinfo

    @property
    def start(self) -> datetime:
        """The first day's local midnight, in UTC."""
        return _midnight(self.first, self.tz)

    @property
    def end(self) -> datetime:
        """The local midnight after the last day, in UTC (the period ends just before it)."""
        return _midnight(self.last + timedelta(days=1), self.tz)

    @property
    def days(self) -> list[date]:
        """Every day of the period, in order."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def local(self, moment: datetime) -> datetime:
        """``moment`` on the warehouse's clock."""
        return moment.astimezone(self.tz)


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """What a report is asked for: the period, and optionally one carrier and one packer."""

    period: Period
    carrier: str | None = None
    packer_id: int | None = None


def period_from(first: str | None, last: str | None, *, today: date, tz: tzinfo) -> Period:
    """The period typed as ISO dates; the last ``DEFAULT_DAYS`` up to ``today`` when blank.

    Raises ``ReportRequestInvalid`` for a date that is not one, a range that ends before
    it starts, or one longer than ``MAX_DAYS``.
    """
    problems: list[str] = []
    last_day = _parse(last, "the end date", problems) or today
    first_day = _parse(first, "the start date", problems) or (
        last_day - timedelta(days=DEFAULT_DAYS - 1)
    )
    if not problems and first_day > last_day:
        problems.append("the start date is after the end date")
    elif not problems and (last_day - first_day).days >= MAX_DAYS:
        problems.append(f"a report covers at most {MAX_DAYS} days")
    if problems:
        raise ReportRequestInvalid(problems_sentence(problems))
    return Period(first_day, last_day, tz)


def one_day(text: str, *, tz: tzinfo) -> Period:
    """The single local day typed as an ISO date; raises ``ReportRequestInvalid``."""
    problems: list[str] = []
    day = _parse(text, "the day", problems)
    if day is None:
        raise ReportRequestInvalid(problems_sentence(problems or ["choose a day"]))
    return Period(day, day, tz)


def _parse(text: str | None, what: str, problems: list[str]) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return parse_day(text)
    except ValueError as exc:
        problems.append(f"{what} {text[:20]!r} {exc}")
        return None


def _midnight(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
