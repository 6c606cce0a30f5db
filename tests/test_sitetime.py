"""The site's zone: the setting, else STATION_TIMEZONE, else the server's own; times read in it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session

from station.settings import settings_store
from station.sitetime import SETTING, ZoneUnknown, iso_utc, local, server_zone, site_zone, zone

DECEMBER_NOON = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_the_setting_wins_over_the_environment_which_wins_over_the_server(ctx: Session) -> None:
    store = settings_store(ctx)

    assert site_zone(store, "America/New_York") == ZoneInfo("America/New_York")
    store.set(SETTING, "Europe/Lisbon")
    assert site_zone(store, "America/New_York") == ZoneInfo("Europe/Lisbon")


def test_a_zone_name_that_is_none_is_refused_and_skipped(ctx: Session) -> None:
    with pytest.raises(ZoneUnknown, match="'Mars/Olympus' is not a time zone"):
        zone("Mars/Olympus")
    assert site_zone(settings_store(ctx), "Mars/Olympus") == server_zone()


def test_the_servers_zone_comes_from_tz_then_etc_localtime_then_utc(tmp_path: Path) -> None:
    zoneinfo = tmp_path / "usr/share/zoneinfo/Asia/Tokyo"
    zoneinfo.parent.mkdir(parents=True)
    zoneinfo.write_bytes(b"")
    link = tmp_path / "localtime"
    link.symlink_to(zoneinfo)

    assert server_zone({"TZ": "Europe/Paris"}, link) == ZoneInfo("Europe/Paris")
    assert server_zone({"TZ": ":Europe/Paris"}, link) == ZoneInfo("Europe/Paris")
    assert server_zone({}, link) == ZoneInfo("Asia/Tokyo")
    assert server_zone({}, tmp_path / "missing") == ZoneInfo("UTC")


def test_a_time_is_shown_in_the_zone_and_kept_in_utc_for_machines() -> None:
    auckland, new_york = ZoneInfo("Pacific/Auckland"), ZoneInfo("America/New_York")

    assert local(DECEMBER_NOON, auckland) == "2026-12-07 01:00"  # NZDT, UTC+13
    assert local(DECEMBER_NOON, new_york, "%H:%M:%S") == "07:00:00"
    assert local("2026-12-06T12:00:00.123456Z", auckland, "%H:%M:%S.%f") == "01:00:00.123"
    assert local(DECEMBER_NOON.replace(tzinfo=None), auckland) == "2026-12-07 01:00"  # naive: UTC
    assert local(None, auckland) == ""
    assert iso_utc(DECEMBER_NOON.astimezone(auckland)) == "2026-12-06T12:00:00Z"
