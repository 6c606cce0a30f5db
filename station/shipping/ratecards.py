"""The own-label carrier's rate card: the one shipped with Station, or one a manager uploaded.

An uploaded card is checked in full before it is stored: every row-level problem is
reported at once and nothing is saved unless the whole file is good. It is kept in the
settings store (``RATE_CARD_KEY``) with who uploaded it and when; reverting forgets it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING

from station.carriers.errors import RateCardInvalid, RateCardProblem
from station.carriers.ownlabel import default_services
from station.carriers.ratecard import RateCard, default_rate_card_text, load_rate_card
from station.csvcells import safe_csv
from station.errors import StationError
from station.settings import SHIPPING_SETTINGS, SettingsStore, settings_store
from station.uow import UnitOfWork

if TYPE_CHECKING:
    from station.models import User

RATE_CARD_KEY = "carriers.ownlabel.rate_card"
MAX_RATE_CARD_BYTES = 1024 * 1024


class RateCardRejected(StationError):
    """An uploaded rate card was not saved; ``rows`` lists every problem (may be empty)."""

    def __init__(self, message: str, rows: tuple[RateCardProblem, ...] = ()) -> None:
        super().__init__(message)
        self.rows = rows

    @classmethod
    def with_rows(cls, name: str, rows: tuple[RateCardProblem, ...]) -> RateCardRejected:
        """The refusal of file ``name`` because of ``rows``."""
        count = f"{len(rows)} problem{'s' if len(rows) != 1 else ''}"
        return cls(f"{name} has {count}; nothing was saved", rows)


@dataclass(frozen=True, slots=True)
class UploadedRateCard:
    """Where the active rate card came from when a manager uploaded it."""

    filename: str
    uploaded_by: str
    uploaded_at: datetime


def active_rate_card(store: SettingsStore) -> RateCard:
    """The rate card the own-label carrier prices with now."""
    return _parsed(active_rate_card_text(store))


def active_rate_card_text(store: SettingsStore) -> str:
    """The CSV of the active rate card (the uploaded one, else Station's default)."""
    saved = store.get(RATE_CARD_KEY)
    return str(saved["csv"]) if saved else default_rate_card_text()


def downloadable_rate_card(store: SettingsStore) -> str:
    """The active rate card's CSV for a spreadsheet: no cell runs as a formula.

    Only comment rows can hold such cells (every other cell is checked on upload), and
    defusing leaves them comments, so the file uploads again as it is.
    """
    return safe_csv(active_rate_card_text(store))


def uploaded_rate_card(store: SettingsStore) -> UploadedRateCard | None:
    """Who uploaded the active rate card and when; None while the default is active."""
    saved = store.get(RATE_CARD_KEY)
    if not saved:
        return None
    return UploadedRateCard(
        filename=str(saved["filename"]),
        uploaded_by=str(saved["uploaded_by"]),
        uploaded_at=datetime.fromisoformat(saved["uploaded_at"]),
    )


def save_rate_card(
    store: SettingsStore, data: bytes, *, filename: str, uploaded_by: str, now: datetime
) -> RateCard:
    """Check an uploaded CSV and make it the active rate card.

    Raises ``RateCardRejected`` (and stores nothing) when the file is too large, is not
    UTF-8 text, or has any problem; its ``rows`` say where.
    """
    name = filename.strip() or "rate card"
    if len(data) > MAX_RATE_CARD_BYTES:
        raise RateCardRejected(
            f"{name} is larger than {MAX_RATE_CARD_BYTES // 1024 // 1024} MB, the most a rate "
            "card may be; nothing was saved (a rate card is a few kB of CSV: is this the right file?)"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problem = RateCardProblem(
            line, "", "not UTF-8 text: save it as 'CSV UTF-8' and upload again"
        )
        raise RateCardRejected.with_rows(name, (problem,)) from exc
    try:
        card = load_rate_card(text, known_services={s.code for s in default_services()})
    except RateCardInvalid as exc:
        raise RateCardRejected.with_rows(name, exc.rows) from exc
    store.set(
        RATE_CARD_KEY,
        {
            "csv": text,
            "filename": name[:255],
            "uploaded_by": uploaded_by,
            "uploaded_at": now.isoformat(),
        },
    )
    return card


def revert_rate_card(store: SettingsStore) -> None:
    """Make Station's default rate card active again."""
    store.set(RATE_CARD_KEY, None)


def upload_rate_card(actor: User | None, data: bytes, *, filename: str, now: datetime) -> RateCard:
    """Make an uploaded CSV the active rate card, uploaded by ``actor``, and audit it.

    Raises ``RateCardRejected`` (nothing saved) as ``save_rate_card`` does.
    """
    with UnitOfWork(actor) as uow:
        card = save_rate_card(
            settings_store(uow.session),
            data,
            filename=filename,
            uploaded_by=actor.username if actor is not None else "",
            now=now,
        )
        uow.record(
            "settings.rate_card.uploaded",
            target=SHIPPING_SETTINGS,
            detail={"filename": filename.strip()[:255] or "rate card"},
        )
        uow.commit()
    return card


def use_default_rate_card(actor: User | None) -> None:
    """Forget the uploaded rate card (Station's default prices again), and audit it."""
    with UnitOfWork(actor) as uow:
        revert_rate_card(settings_store(uow.session))
        uow.record("settings.rate_card.reverted", target=SHIPPING_SETTINGS)
        uow.commit()


@lru_cache(maxsize=4)
def _parsed(text: str) -> RateCard:
    """A card parsed once per distinct text (an uploaded card was checked when saved)."""
    return load_rate_card(text)
