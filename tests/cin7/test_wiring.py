"""The app's Cin7 wiring: one limiter for the install, paced unless told otherwise."""

from __future__ import annotations

from typing import Any

from station import create_app
from station.cin7.ratelimit import CallLimits
from station.cin7.wiring import cin7_wiring


def limits_of(app_config: dict[str, Any], **settings: Any) -> CallLimits:
    app = create_app({**app_config, **settings})
    with app.app_context():
        return cin7_wiring().limiter.limits  # type: ignore[attr-defined,no-any-return]


def test_calls_are_paced_to_cin7s_limits(app_config: dict[str, Any]) -> None:
    limits = limits_of(app_config, CIN7_PACING=True, CIN7_LIMIT_WAIT=30)

    assert (limits.per_second, limits.per_minute, limits.per_day) == (3, 60, 5000)
    assert limits.max_wait == 30


def test_without_pacing_the_days_budget_still_counts(app_config: dict[str, Any]) -> None:
    limits = limits_of(app_config, CIN7_PACING=False, CIN7_LIMIT_WAIT=30)

    assert limits.per_second >= 1000 and limits.per_minute >= 1000
    assert limits.per_day == 5000 and limits.max_wait == 30
