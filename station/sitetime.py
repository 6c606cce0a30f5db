"""The site's time zone: the one every page shows times in.

Chosen in Settings (``site.timezone``); unset, ``STATION_TIMEZONE``; unset too, the
server's own zone (``TZ``, ``/etc/localtime``), and UTC when none can be named. Exports
and APIs keep UTC (ISO 8601 with ``Z``); only what people read moves to the site zone.

Services write sentences with times in them ("open at Bench 2 by alice since 14:02
NZDT") far below any view, so a time in a sentence goes through ``said``: the web layer
and the job runner name the zone for the request or job with ``read_in``, the way a
template names it with its filter, and ``said`` adds the zone's abbreviation. Outside
both (the CLI, a test calling a service) sentences say UTC.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from station import audit
from station.errors import StationError
from station.models import User
from station.settings import SettingsStore, settings_store
from station.uow import UnitOfWork

SETTING = "site.timezone"
LOCALTIME = Path("/etc/localtime")


DAY_TIME = "%Y-%m-%d %H:%M"  # formats for ``said``; its default is hours and minutes
SECONDS = "%H:%M:%S"
ZoneOf = Callable[[], tzinfo]
ZONE_OF = "station.sitetime.zone_of"  # app.extensions: the app's ZoneOf, for jobs
# what names the zone of sentences said in this request or job (asked only when one is)
_READER: ContextVar[ZoneOf | None] = ContextVar("station.sitetime.reader", default=None)


class ZoneUnknown(StationError):
    """No time zone has that name."""


def zone(name: str) -> ZoneInfo:
    """The IANA zone called ``name``; raises ``ZoneUnknown`` for a name that is none."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ZoneUnknown(
            f"{name.strip()!r} is not a time zone; choose one such as Pacific/Auckland."
        ) from exc


def zone_names() -> list[str]:
    """Every zone a site may choose, Area/City names first-class (no legacy aliases)."""
    return sorted(n for n in available_timezones() if "/" in n and not n.startswith("Etc/")) + [
        "UTC"
    ]


def server_zone(environ: dict[str, str] | None = None, localtime: Path = LOCALTIME) -> ZoneInfo:
    """The server's own zone by name (``TZ``, then ``/etc/localtime``'s link), else UTC."""
    env = os.environ if environ is None else environ
    candidates = [env.get("TZ", "").lstrip(":")]
    try:
        target = str(localtime.resolve())
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        candidates.append(target.split("zoneinfo/", 1)[1])
    for name in candidates:
        if name:
            try:
                return zone(name)
            except ZoneUnknown:
                continue
    return ZoneInfo("UTC")


def site_zone(settings: SettingsStore, configured: str | None) -> ZoneInfo:
    """The site's zone: the setting, else ``configured`` (STATION_TIMEZONE), else the server's."""
    for name in (settings.get(SETTING), configured):
        if isinstance(name, str) and name.strip():
            try:
                return zone(name)
            except ZoneUnknown:
                continue
    return server_zone()


def local(moment: datetime | str | None, tz: tzinfo, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """``moment`` (aware, naive UTC, or ISO text) as the site reads it; "" for None.

    A format ending in ``%f`` shows milliseconds, not microseconds.
    """
    when = as_utc(moment)
    if when is None:
        return ""
    text = when.astimezone(tz).strftime(fmt)
    return text[:-3] if fmt.endswith("%f") else text


@contextmanager
def read_in(zone_of: ZoneOf | None) -> Iterator[None]:
    """Within the block, ``said`` gives times in the zone ``zone_of()`` names (UTC for None).

    ``zone_of`` is called only when a sentence has a time in it, so a request that says
    none never reads the zone.
    """
    token = _READER.set(zone_of)
    try:
        yield
    finally:
        _READER.reset(token)


def reader_zone() -> tzinfo:
    """The zone sentences are said in here: the one ``read_in`` named, else UTC."""
    zone_of = _READER.get()
    return UTC if zone_of is None else zone_of()


def said(moment: datetime | str, fmt: str = "%H:%M") -> str:
    """``moment`` for a sentence: in the reader's zone with its abbreviation ("14:02 NZDT")."""
    when = as_utc(moment)
    if when is None:
        raise ValueError("said() needs a time")
    here = when.astimezone(reader_zone())
    return f"{here.strftime(fmt)} {here.tzname() or 'UTC'}"


def as_utc(moment: datetime | str | None) -> datetime | None:
    """An aware UTC datetime from a datetime (naive means UTC) or ISO 8601 text; None stays None."""
    if moment is None or moment == "":
        return None
    when = (
        datetime.fromisoformat(moment.replace("Z", "+00:00")) if isinstance(moment, str) else moment
    )
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def iso_utc(moment: datetime | str | None) -> str:
    """ISO 8601 in UTC with ``Z``, as exports and APIs give times."""
    when = as_utc(moment)
    return "" if when is None else when.isoformat().replace("+00:00", "Z")


def choose_site_zone(
    actor: User | None, name: str, *, configured: str | None = None
) -> ZoneInfo | None:
    """``actor`` sets the site's zone (empty: back to STATION_TIMEZONE or the server's).

    ``configured`` is STATION_TIMEZONE, so the audit line can say which zone "no setting"
    meant. Returns the zone chosen (None when cleared); raises ``ZoneUnknown`` for a name
    that is none, saving nothing.
    """
    chosen = zone(name) if name.strip() else None
    with UnitOfWork(actor) as uow:
        store = settings_store(uow.session)
        before = store.get(SETTING) or ""
        store.set(SETTING, chosen.key if chosen else "")
        unset = unset_zone_label(configured)
        uow.record(
            "settings.site_zone_changed",
            target=audit.Target("settings", None, "Site"),
            detail={"from": before or unset, "to": chosen.key if chosen else unset},
        )
        uow.commit()
    return chosen


def unset_zone_label(configured: str | None) -> str:
    """What "no zone chosen in Settings" means, as an audit line reads it.

    "— (STATION_TIMEZONE Pacific/Auckland)" or "— (server's zone Europe/Lisbon)": a blank
    or "None" would not say which zone the pages were in.
    """
    if configured and configured.strip():
        try:
            return f"— (STATION_TIMEZONE {zone(configured).key})"
        except ZoneUnknown:
            pass
    return f"— (server's zone {server_zone().key})"
