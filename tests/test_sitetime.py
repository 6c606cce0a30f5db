"""The site's zone: the setting, else STATION_TIMEZONE, else the server's own; times read in it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from station.jobs import jobs
from station.settings import settings_store
from station.sitetime import (
    DAY_TIME,
    SECONDS,
    SETTING,
    ZoneUnknown,
    iso_utc,
    local,
    read_in,
    said,
    server_zone,
    site_zone,
    zone,
)

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


def test_a_sentence_says_a_time_in_the_zone_it_is_read_in_with_its_abbreviation() -> None:
    asked: list[str] = []

    def auckland() -> ZoneInfo:
        asked.append("zone")
        return ZoneInfo("Pacific/Auckland")

    with read_in(auckland):
        assert asked == []  # nothing said yet: the zone is not looked up
        assert said(DECEMBER_NOON) == "01:00 NZDT"
        assert said("2026-06-06T12:00:00Z", DAY_TIME) == "2026-06-07 00:00 NZST"
        with read_in(lambda: ZoneInfo("America/New_York")):
            assert said(DECEMBER_NOON, SECONDS) == "07:00:00 EST"
        assert said(DECEMBER_NOON) == "01:00 NZDT"
    assert said(DECEMBER_NOON) == "12:00 UTC"  # outside a request or job: UTC, named
    with read_in(None):
        assert said(DECEMBER_NOON.replace(tzinfo=None)) == "12:00 UTC"


def test_a_job_says_its_sentences_in_the_site_zone(app: Flask) -> None:
    app.config["TIMEZONE"] = "Asia/Tokyo"
    with app.app_context():
        task = jobs().task("say_noon", lambda: said(DECEMBER_NOON))

        assert task().get() == "21:00 JST"
