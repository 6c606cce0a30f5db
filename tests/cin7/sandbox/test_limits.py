"""Cin7's call budget: sliding windows per second, minute and day over accepted calls."""

from __future__ import annotations

import pytest

from station.cin7.sandbox import Limits
from station.cin7.sandbox.limits import CallWindows
from tests.cin7.sandbox.conftest import FakeClock

pytestmark = pytest.mark.cin7_limits


def admit_many(windows: CallWindows, count: int) -> list[int | None]:
    return [windows.admit() for _ in range(count)]


def test_the_fourth_call_in_a_second_is_refused_for_one_second(clock: FakeClock) -> None:
    windows = CallWindows(Limits(), clock)
    assert admit_many(windows, 4) == [None, None, None, 1]


def test_the_second_window_slides_rather_than_resetting(clock: FakeClock) -> None:
    windows = CallWindows(Limits(), clock)
    for step in (0, 0.5, 0.25):  # calls at t, t+0.5, t+0.75
        clock.advance(step)
        assert windows.admit() is None
    clock.advance(0.25)  # t+1: the call at t has left the window, two remain
    assert admit_many(windows, 2) == [None, 1]


def test_the_sixty_first_call_in_a_minute_waits_for_the_minute(clock: FakeClock) -> None:
    windows = CallWindows(Limits(), clock)
    for _ in range(20):
        assert admit_many(windows, 3) == [None, None, None]
        clock.advance(1)
    assert windows.admit() == 60
    clock.advance(40)  # t+60: the first three have left the minute
    assert admit_many(windows, 4) == [None, None, None, 1]


def test_the_day_refuses_once_spent_and_frees_a_call_a_day_later(clock: FakeClock) -> None:
    windows = CallWindows(Limits(per_second=100, per_minute=100, per_day=5), clock)
    for _ in range(5):
        assert windows.admit() is None
        clock.advance(3600)
    assert windows.admit() == 3600
    clock.advance(86_400 - 5 * 3600)
    assert admit_many(windows, 2) == [None, 3600]


def test_refused_calls_do_not_count(clock: FakeClock) -> None:
    windows = CallWindows(Limits(per_second=3, per_minute=5), clock)
    assert admit_many(windows, 10) == [None] * 3 + [1] * 7
    clock.advance(1)
    assert admit_many(windows, 3) == [None, None, 60]


def test_a_forgotten_call_gives_its_place_back(clock: FakeClock) -> None:
    windows = CallWindows(Limits(), clock)
    admit_many(windows, 3)
    windows.forget_last()
    assert admit_many(windows, 2) == [None, 1]
