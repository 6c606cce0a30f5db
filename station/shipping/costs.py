"""Cost centres (freight markup) and package presets, as managers keep them in Settings."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from station.carriers import markup
from station.errors import StationError, problems_sentence
from station.models import BulkDispatch, Consignment, CostCentre, PackagePreset
from station.uow import UnitOfWork

if TYPE_CHECKING:
    from station.models import User

_Row = TypeVar("_Row", CostCentre, PackagePreset)


class ShippingSetupInvalid(StationError):
    """A cost centre or preset cannot be saved; the message lists every problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems_sentence(problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class CostCentreInput:
    """What a manager typed for a cost centre (strings straight from the form)."""

    name: str
    markup_percent: str = "0"
    markup_fixed: str = "0"
    is_default: bool = False


@dataclass(frozen=True, slots=True)
class PresetInput:
    """What a manager typed for a package preset (strings straight from the form)."""

    name: str
    length_mm: str
    width_mm: str
    height_mm: str
    tare_grams: str = "0"


def create_cost_centre(actor: User | None, data: CostCentreInput) -> CostCentre:
    """Add a cost centre a manager typed, and audit it; raises ``ShippingSetupInvalid``."""
    with UnitOfWork(actor) as uow:
        centre = save_cost_centre(uow.session, data)
        uow.record("settings.cost_centre.added", target=centre)
        uow.commit()
    return centre


def make_cost_centre_default(actor: User | None, centre: CostCentre) -> None:
    """Make ``centre`` the one default cost centre, and audit it (never a retired one)."""
    with UnitOfWork(actor) as uow:
        _refuse_retired(centre, "cost centre")
        make_default(uow.session, centre)
        uow.record("settings.cost_centre.made_default", target=centre)
        uow.commit()


def create_package_preset(actor: User | None, data: PresetInput) -> PackagePreset:
    """Add a package preset a manager typed, and audit it; raises ``ShippingSetupInvalid``."""
    with UnitOfWork(actor) as uow:
        preset = save_preset(uow.session, data)
        uow.record("settings.package_preset.added", target=preset)
        uow.commit()
    return preset


def update_cost_centre(actor: User | None, centre: CostCentre, data: CostCentreInput) -> CostCentre:
    """Change a cost centre's name and markup, and audit it; raises ``ShippingSetupInvalid``.

    Consignments already booked keep the freight they were charged.
    """
    with UnitOfWork(actor) as uow:
        _refuse_retired(centre, "cost centre")
        save_cost_centre(uow.session, data, centre_id=centre.id)
        uow.record("settings.cost_centre.updated", target=centre)
        uow.commit()
    return centre


def update_package_preset(
    actor: User | None, preset: PackagePreset, data: PresetInput
) -> PackagePreset:
    """Change a package preset's name, size and empty weight, and audit it.

    Raises ``ShippingSetupInvalid``. Consignments already booked keep their parcels' sizes.
    """
    with UnitOfWork(actor) as uow:
        _refuse_retired(preset, "package preset")
        save_preset(uow.session, data, preset_id=preset.id)
        uow.record("settings.package_preset.updated", target=preset)
        uow.commit()
    return preset


@dataclass(frozen=True, slots=True)
class Removed:
    """What removing a cost centre or preset did: deleted, or retired for the history naming it."""

    name: str
    retired: bool


def remove_cost_centre(actor: User | None, centre: CostCentre) -> Removed:
    """Delete a cost centre nothing names; retire one consignments or bulk runs name.

    A retired cost centre stays in the freight report and on its consignments but is no
    longer offered. The default is refused while other cost centres are in use: a manager
    makes another the default first, so freight is never silently charged at cost.
    """
    with UnitOfWork(actor) as uow:
        session = uow.session
        _refuse_retired(centre, "cost centre")
        others = session.scalar(
            select(func.count(CostCentre.id)).where(CostCentre.active, CostCentre.id != centre.id)
        )
        if centre.is_default and others:
            raise ShippingSetupInvalid(
                [f"{centre.name} is the default cost centre: make another one the default first"]
            )
        removed = Removed(centre.name, retired=_named_by(session, centre.id, _CENTRE_HISTORY))
        if removed.retired:
            centre.active, centre.is_default = False, False
            uow.record("settings.cost_centre.retired", target=centre)
        else:
            uow.record("settings.cost_centre.deleted", target=centre)
            session.delete(centre)
        uow.commit()
    return removed


def remove_package_preset(actor: User | None, preset: PackagePreset) -> Removed:
    """Delete a package preset, or retire it when a bulk dispatch run names it."""
    with UnitOfWork(actor) as uow:
        session = uow.session
        _refuse_retired(preset, "package preset")
        removed = Removed(preset.name, retired=_named_by(session, preset.id, _PRESET_HISTORY))
        if removed.retired:
            preset.active = False
            uow.record("settings.package_preset.retired", target=preset)
        else:
            uow.record("settings.package_preset.deleted", target=preset)
            session.delete(preset)
        uow.commit()
    return removed


_CENTRE_HISTORY = (Consignment.cost_centre_id, BulkDispatch.cost_centre_id)
_PRESET_HISTORY = (BulkDispatch.preset_id,)


def _named_by(session: Session, row_id: int, columns: tuple[Any, ...]) -> bool:
    """Whether any row names ``row_id`` in one of ``columns`` (foreign keys to it)."""
    return any(
        session.scalar(select(column).where(column == row_id).limit(1)) is not None
        for column in columns
    )


def _refuse_retired(row: CostCentre | PackagePreset, kind: str) -> None:
    if not row.active:
        raise ShippingSetupInvalid([f"the {kind} {row.name} is retired and can no longer change"])


def save_cost_centre(
    session: Session, data: CostCentreInput, *, centre_id: int | None = None
) -> CostCentre:
    """Create or update a cost centre; the only default when ``is_default``, and the
    default too when there is none (the first one): with cost centres set up, freight is
    never charged at cost by omission."""
    name = data.name.strip()
    problems: list[str] = []
    percent = _decimal(data.markup_percent, "markup percent", problems)
    fixed = _decimal(data.markup_fixed, "fixed markup", problems)
    if not name:
        problems.append("the name is required")
    elif len(name) > 64:
        problems.append("the name is longer than 64 characters")
    for label, value, limit in (("markup percent", percent, 1000), ("fixed markup", fixed, 10000)):
        if value is not None and not 0 <= value <= limit:
            problems.append(f"the {label} must be between 0 and {limit}")
    if name and _name_taken(session, CostCentre, name, centre_id):
        problems.append(f"a cost centre called {name!r} already exists")
    if problems or percent is None or fixed is None:
        raise ShippingSetupInvalid(problems)
    centre = _existing(session, CostCentre, centre_id) or CostCentre()
    centre.name, centre.markup_percent = name, percent
    centre.markup_fixed = fixed.quantize(Decimal("0.01"))
    session.add(centre)
    session.flush()
    if data.is_default or default_cost_centre(session) is None:
        make_default(session, centre)
    return centre


def make_default(session: Session, centre: CostCentre) -> None:
    """``centre`` becomes the one default cost centre."""
    # Row by row (there are a handful), so the flush sees each change: the bench's
    # catalog of cost centres is read again after any change to one.
    for other in session.scalars(
        select(CostCentre).where(CostCentre.id != centre.id, CostCentre.is_default)
    ):
        other.is_default = False
    centre.is_default = True
    session.flush()


def default_cost_centre(session: Session) -> CostCentre | None:
    """The cost centre used when the bench does not choose one."""
    return session.scalar(select(CostCentre).where(CostCentre.is_default, CostCentre.active))


def markup_of(centre: CostCentre | None) -> markup.CostCentre | None:
    """A cost centre row as the markup calculation reads it."""
    if centre is None:
        return None
    return markup.CostCentre(centre.name, centre.markup_percent, centre.markup_fixed)


def save_preset(
    session: Session, data: PresetInput, *, preset_id: int | None = None
) -> PackagePreset:
    """Create or update a package preset."""
    name = data.name.strip()
    problems: list[str] = []
    sizes = {
        label: _whole(value, label, problems, minimum=1)
        for label, value in (
            ("length", data.length_mm),
            ("width", data.width_mm),
            ("height", data.height_mm),
        )
    }
    tare = _whole(data.tare_grams, "empty weight", problems, minimum=0)
    if not name:
        problems.append("the name is required")
    elif len(name) > 64:
        problems.append("the name is longer than 64 characters")
    elif _name_taken(session, PackagePreset, name, preset_id):
        problems.append(f"a package preset called {name!r} already exists")
    if problems or tare is None or None in sizes.values():
        raise ShippingSetupInvalid(problems)
    preset = _existing(session, PackagePreset, preset_id) or PackagePreset()
    preset.name, preset.tare_grams = name, tare
    preset.length_mm, preset.width_mm, preset.height_mm = (
        sizes["length"] or 0,
        sizes["width"] or 0,
        sizes["height"] or 0,
    )
    session.add(preset)
    session.flush()
    return preset


def preset_of(preset: PackagePreset) -> markup.PackagePreset:
    """A preset row as the parcel builder reads it."""
    return markup.PackagePreset(
        preset.name, preset.length_mm, preset.width_mm, preset.height_mm, preset.tare_grams
    )


def _decimal(text: str, label: str, problems: list[str]) -> Decimal | None:
    try:
        value = Decimal((text or "0").strip())
    except InvalidOperation:
        problems.append(f"the {label} must be a number, not {text!r}")
        return None
    if not value.is_finite():
        problems.append(f"the {label} must be a number, not {text!r}")
        return None
    return value


def _whole(text: str, label: str, problems: list[str], *, minimum: int) -> int | None:
    try:
        value = int((text or "").strip())
    except ValueError:
        problems.append(f"the {label} must be a whole number, not {text!r}")
        return None
    if not minimum <= value <= 1_000_000:
        problems.append(f"the {label} must be between {minimum} and 1000000")
        return None
    return value


def _name_taken(
    session: Session, model: type[CostCentre] | type[PackagePreset], name: str, own_id: int | None
) -> bool:
    other = session.scalar(select(model.id).where(model.name == name))
    return other is not None and other != own_id


def _existing(session: Session, model: type[_Row], row_id: int | None) -> _Row | None:
    if row_id is None:
        return None
    row = session.get(model, row_id)
    if row is None:
        raise ShippingSetupInvalid(
            [f"there is no {model.__tablename__.replace('_', ' ')} {row_id}"]
        )
    return row
