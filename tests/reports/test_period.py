"""The days a report covers: local midnights in UTC, the default fortnight, clear refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from station.reports.period import Period, ReportRequestInvalid, one_day, period_from
from tests.reports.samples import AUCKLAND

TODAY = date(2026, 11, 26)


def test_blank_dates_mean_the_last_14_days_up_to_today() -> None:
    period = period_from("", None, today=TODAY, tz=AUCKLAND)

    assert (period.first, period.last) == (date(2026, 11, 13), TODAY)
    assert len(period.days) == 14


def test_a_period_runs_from_local_midnight_to_local_midnight_in_utc() -> None:
    period = period_from("2026-11-23", "2026-11-26", today=TODAY, tz=AUCKLAND)

    assert period.start == datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 26, 11, 0, tzinfo=UTC)


def test_a_day_when_the_clocks_change_is_23_hours_long() -> None:
    period = Period(date(2026, 9, 27), date(2026, 9, 27), AUCKLAND)  # NZ daylight time starts

    assert (period.end - period.start).total_seconds() == 23 * 3600


@pytest.mark.parametrize(
    ("first", "last", "message"),
    [
        ("yesterday", "", "The start date 'yesterday' is not a date (YYYY-MM-DD)."),
        ("2026-11-20", "2026-13-01", "The end date '2026-13-01' is not a date (YYYY-MM-DD)."),
        ("2026-11-26", "2026-11-20", "The start date is after the end date."),
        ("2025-01-01", "2026-11-26", "A report covers at most 366 days."),
    ],
)
def test_dates_that_cannot_be_used_are_refused_with_the_reason(
    first: str, last: str, message: str
) -> None:
    with pytest.raises(ReportRequestInvalid) as refused:
        period_from(first, last, today=TODAY, tz=AUCKLAND)

    assert str(refused.value) == message


def test_one_day_is_that_local_day_and_a_bad_one_is_refused() -> None:
    day = one_day("2026-11-23", tz=AUCKLAND)

    assert (day.start, day.end) == (
        datetime(2026, 11, 22, 11, 0, tzinfo=UTC),
        datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
    )
    with pytest.raises(ReportRequestInvalid, match="The day 'Monday' is not a date"):
        one_day("Monday", tz=AUCKLAND)
