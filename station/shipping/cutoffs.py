"""Each carrier's daily cut-off, the warning before it, and the close-out board.

A cut-off is a local time of day ("16:30") kept in Settings under
``carrier.<code>.cutoff``; the time zone comes from the app's ``TIMEZONE`` setting
(Pacific/Auckland by default) and is passed in. From ``WARN_BEFORE`` ahead of the
cut-off until the end of the local day, a carrier with consignments still waiting for a
manifest gets a warning for the bench and the manifests page.

CutoffInvalid (a StationError) — a cut-off or time zone cannot be used; the message says why.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from station import audit
from station.errors import StationError
from station.models import Manifest
from station.settings import SettingsStore, settings_store
from station.shipping.carriers import carrier_codes
from station.shipping.manifests import carrier_name, waiting_count, waiting_counts
from station.uow import UnitOfWork

if TYPE_CHECKING:
    from station.models import User

DEFAULT_TIMEZONE = "Pacific/Auckland"
WARN_BEFORE = timedelta(minutes=30)
_HH_MM = re.compile(r"(\d{1,2}):(\d{2})")


class CutoffInvalid(StationError):
    """A cut-off time or time zone cannot be used; ``str()`` says what to enter instead."""


@dataclass(frozen=True, slots=True)
class Cutoff:
    """A carrier's daily cut-off: a local time of day in a time zone."""

    at: time
    tz: tzinfo

    @property
    def text(self) -> str:
        """'16:30'."""
        return f"{self.at:%H:%M}"

    def said_on(self, now: datetime) -> str:
        """'16:30 NZDT': the cut-off named with its zone's abbreviation on ``now``'s day."""
        return f"{self.on_day_of(now):%H:%M %Z}"

    def on_day_of(self, now: datetime) -> datetime:
        """The cut-off on ``now``'s local day, as an aware datetime."""
        return datetime.combine(now.astimezone(self.tz).date(), self.at, tzinfo=self.tz)


@dataclass(frozen=True, slots=True)
class CarrierCloseOut:
    """One carrier on the manifests page: what waits, its cut-off, any warning, its manifests."""

    code: str
    name: str
    waiting: int
    cutoff: Cutoff | None
    warning: str | None
    manifests: tuple[Manifest, ...]


def cutoff_key(carrier_code: str) -> str:
    """The settings key of a carrier's cut-off."""
    return f"carrier.{carrier_code}.cutoff"


def zone_named(name: str | None) -> ZoneInfo:
    """The time zone called ``name`` (Pacific/Auckland when empty)."""
    name = (name or "").strip() or DEFAULT_TIMEZONE
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise CutoffInvalid(
            f"The time zone {name!r} is unknown; set STATION_TIMEZONE to a name such as "
            f"{DEFAULT_TIMEZONE}."
        ) from exc


def parse_cutoff(text: str) -> time:
    """A cut-off typed as HH:MM ("16:30", "9:05"); raises ``CutoffInvalid``."""
    match = _HH_MM.fullmatch(text.strip())
    hour, minute = (int(match[1]), int(match[2])) if match else (-1, -1)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise CutoffInvalid(
            f"The cut-off {text.strip()!r} is not a time of day; enter HH:MM, e.g. 16:30."
        )
    return time(hour, minute)


def cutoff_for(store: SettingsStore, carrier_code: str, *, tz: tzinfo) -> Cutoff | None:
    """The carrier's cut-off, or None when none is set."""
    value = store.get(cutoff_key(carrier_code))
    if not value:
        return None
    return Cutoff(parse_cutoff(str(value)), tz)


def save_cutoff(store: SettingsStore, carrier_code: str, text: str) -> time | None:
    """Store the carrier's cut-off as HH:MM (an empty ``text`` removes it); does not commit."""
    if not text.strip():
        store.set(cutoff_key(carrier_code), None)
        return None
    at = parse_cutoff(text)
    store.set(cutoff_key(carrier_code), f"{at:%H:%M}")
    return at


def change_cutoff(actor: User | None, carrier_code: str, text: str) -> time | None:
    """Save (or, with an empty ``text``, remove) the carrier's cut-off, and audit it.

    Raises ``CutoffInvalid`` (nothing saved) when ``text`` is not HH:MM.
    """
    with UnitOfWork(actor) as uow:
        at = save_cutoff(settings_store(uow.session), carrier_code, text)
        uow.record(
            "settings.cutoff.saved",
            target=audit.Target("carrier", None, carrier_name(uow.session, carrier_code)),
            detail={"carrier": carrier_code, "cutoff": f"{at:%H:%M}" if at else None},
        )
        uow.commit()
    return at


def closeout_warning(
    session: Session,
    carrier_code: str,
    now: datetime,
    *,
    cutoff: Cutoff | None,
    name: str | None = None,
    waiting: int | None = None,
) -> str | None:
    """What the bench should show when the cut-off is near (or past) and consignments wait.

    None without a cut-off, before ``WARN_BEFORE`` ahead of it, or when nothing waits.
    ``waiting`` is the carrier's count of consignments waiting, when the caller has it.
    """
    if cutoff is None:
        return None
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    today = cutoff.on_day_of(now)
    if now < today - WARN_BEFORE:
        return None
    count = waiting_count(session, carrier_code) if waiting is None else waiting
    if count == 0:
        return None
    name = name or carrier_name(session, carrier_code)
    noun = "consignment" if count == 1 else "consignments"
    verb = "is" if count == 1 else "are"
    passed = " has passed" if now >= today else ""
    return f"{count} {noun} for {name} {verb} not manifested; cut-off {cutoff.said_on(now)}{passed}"


def closeout_board(
    session: Session, store: SettingsStore, *, now: datetime, tz: tzinfo, recent: int = 10
) -> list[CarrierCloseOut]:
    """Every carrier that is set up or has consignments or manifests, for the manifests page."""
    counts = waiting_counts(session)
    codes = _unique([*carrier_codes(session), *counts, *_manifested_carriers(session)])
    board = []
    for code in codes:
        name, waiting = carrier_name(session, code), counts.get(code, 0)
        cutoff = cutoff_for(store, code, tz=tz)
        manifests = session.scalars(
            select(Manifest)
            .where(Manifest.carrier == code)
            .order_by(Manifest.closed_at.desc(), Manifest.id.desc())
            .limit(recent)
        ).all()
        board.append(
            CarrierCloseOut(
                code=code,
                name=name,
                waiting=waiting,
                cutoff=cutoff,
                warning=closeout_warning(
                    session, code, now, cutoff=cutoff, name=name, waiting=waiting
                ),
                manifests=tuple(manifests),
            )
        )
    return board


def _manifested_carriers(session: Session) -> list[str]:
    return list(session.scalars(select(Manifest.carrier).distinct().order_by(Manifest.carrier)))


def _unique(codes: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(codes))


def closeout_warnings(
    session: Session, store: SettingsStore, now: datetime, *, tz: tzinfo
) -> list[str]:
    """The cut-off warning of every carrier with consignments waiting (for every page)."""
    warnings = []
    for code, waiting in waiting_counts(session).items():
        try:
            cutoff = cutoff_for(store, code, tz=tz)
        except CutoffInvalid:
            continue  # a setting saved before validation existed: the manifests page says so
        warning = closeout_warning(session, code, now, cutoff=cutoff, waiting=waiting)
        if warning:
            warnings.append(warning)
    return warnings
