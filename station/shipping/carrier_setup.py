"""Managers change, delete or retire a Karrio carrier in Settings → Shipping, audited.

A carrier is edited on the JSON form it was added with, one carrier at a time. Its
credentials are never shown back: every text setting (but a few that name things, such
as ``display_name``) reads ``MASK`` on the form, and a setting left as ``MASK`` or blank
keeps the value stored. A carrier no consignment, bulk run or manifest names is deleted;
one they name is retired: kept (its name on old consignments, voids and manifests) but
never offered or booked again. The own-label carrier is built in: its prices are the rate
card, changed on the same page; it is never deleted, but may be retired.

A retired carrier, the own-label one included, can be brought back. No change may leave
Station with no carrier to book with: the last one is neither retired nor deleted.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.carriers.errors import CarrierMisconfigured
from station.carriers.karrio import KarrioConfig
from station.models import BulkDispatch, Consignment, Manifest
from station.settings import SettingsStore, settings_store
from station.shipping.carriers import (
    OWN_LABEL,
    OWN_LABEL_NAME,
    RETIRED_KEY,
    carrier_codes,
    carrier_target,
    hold_carrier_setup,
    karrio_dicts,
    parse_carrier_json,
    retired_codes,
    save_karrio_carriers,
)
from station.shipping.costs import Removed, ShippingSetupInvalid
from station.shipping.cutoffs import cutoff_key
from station.uow import UnitOfWork

if TYPE_CHECKING:
    from station.models import User

MASK = "********"
# Settings that name or draw things rather than open an account: shown as they are.
PLAIN_SETTINGS = frozenset(
    {"display_name", "custom_carrier_name", "account_country_code", "language", "label_template"}
)


@dataclass(frozen=True, slots=True)
class CarrierSetup:
    """One Karrio carrier as its edit page shows it: credentials masked."""

    code: str
    name: str
    text: str  # its config as JSON, every secret setting reading MASK
    retired: bool


def carrier_setup(session: Session, code: str) -> CarrierSetup | None:
    """The Karrio carrier ``code`` for its edit page, or None when there is none."""
    store = settings_store(session)
    data = karrio_dicts(store).get(code)
    if data is None:
        return None
    shown = {**data, "settings": masked(data.get("settings") or {})}
    return CarrierSetup(
        code=code,
        name=KarrioConfig.from_dict(data).display_name,
        text=json.dumps(shown, indent=2, ensure_ascii=False),
        retired=code in retired_codes(store),
    )


def update_karrio_carrier(actor: User | None, code: str, text: str) -> str:
    """Replace carrier ``code``'s config with the JSON a manager typed; returns its name.

    Settings left as ``MASK`` or blank keep their stored values. The code may change only
    while nothing names the carrier (consignments store it). Raises ``ShippingSetupInvalid``
    (nothing saved) listing every problem. Saving what is stored already audits nothing.
    """
    data = _json_object(text)
    with UnitOfWork(actor) as uow:
        store = settings_store(uow.session)
        hold_carrier_setup(store)
        dicts = karrio_dicts(store)
        old = _editable(store, dicts, code)
        problems: list[str] = []
        stored = old.get("settings")
        if isinstance(data.get("settings"), Mapping):
            data["settings"] = unmasked(data["settings"], stored or {}, problems, "settings")
        config = _config(data, problems)
        if config.station_code != code and named_by_history(uow.session, code):
            problems.append(
                f"consignments name the code {code!r}, so it cannot change: add the account "
                "again under a new code and retire this one"
            )
        if problems:
            raise ShippingSetupInvalid(problems)
        changed = sorted(key for key in {*old, *data} if old.get(key) != data.get(key))
        if not changed:
            return config.display_name
        try:
            save_karrio_carriers(
                store, [data if other == code else kept for other, kept in dicts.items()]
            )
        except CarrierMisconfigured as exc:
            raise ShippingSetupInvalid([str(exc)]) from exc
        if config.station_code != code:
            _move_cutoff(store, code, config.station_code)
        uow.record(
            "settings.carrier.updated",
            target=carrier_target(config.display_name),
            detail={"code": config.station_code, "changed": changed},
        )
        uow.commit()
    return config.display_name


def remove_karrio_carrier(actor: User | None, code: str) -> Removed:
    """Delete carrier ``code`` when nothing names it; retire it when something does.

    A retired carrier keeps its config, so its consignments keep its name and can still be
    voided, but the bench and bulk dispatch no longer offer or book it.
    """
    with UnitOfWork(actor) as uow:
        session = uow.session
        store = settings_store(session)
        hold_carrier_setup(store)
        dicts = karrio_dicts(store)
        data = _editable(store, dicts, code)
        name = KarrioConfig.from_dict(data).display_name
        removed = Removed(name, retired=named_by_history(session, code))
        _refuse_last(session, code, name, "retiring" if removed.retired else "deleting")
        if removed.retired:
            store.set(RETIRED_KEY, sorted(retired_codes(store) | {code}))
            uow.record(
                "settings.carrier.retired", target=carrier_target(name), detail={"code": code}
            )
        else:
            save_karrio_carriers(store, [kept for other, kept in dicts.items() if other != code])
            if store.get(cutoff_key(code)) is not None:
                store.set(cutoff_key(code), None)
            uow.record(
                "settings.carrier.deleted", target=carrier_target(name), detail={"code": code}
            )
        uow.commit()
    return removed


def retire_carrier(actor: User | None, code: str) -> str:
    """Retire carrier ``code``, the own-label one included; returns its name.

    Its consignments keep its name and can still be voided and manifested, but the bench,
    bulk dispatch and returns no longer offer or book it. Raises ``ShippingSetupInvalid``
    (nothing changed) for an unknown or retired carrier, and for the last carrier left to
    book with: a manager adds another first.
    """
    return _set_retired(actor, code, retired=True)


def reinstate_carrier(actor: User | None, code: str) -> str:
    """Bring retired carrier ``code`` back: offered and booked again; returns its name.

    Raises ``ShippingSetupInvalid`` for an unknown carrier or one that is not retired.
    """
    return _set_retired(actor, code, retired=False)


def _set_retired(actor: User | None, code: str, *, retired: bool) -> str:
    """Put carrier ``code`` on the retired list or take it off, audited; its name."""
    with UnitOfWork(actor) as uow:
        store = settings_store(uow.session)
        hold_carrier_setup(store)
        name = _known_name(store, code)
        now_retired = retired_codes(store)
        if (code in now_retired) == retired:
            state = "retired already" if retired else "not retired"
            raise ShippingSetupInvalid([f"the carrier {name} is {state}"])
        if retired:
            _refuse_last(uow.session, code, name, "retiring")
        store.set(RETIRED_KEY, sorted(now_retired ^ {code}))
        action = "settings.carrier.retired" if retired else "settings.carrier.brought_back"
        uow.record(action, target=carrier_target(name), detail={"code": code})
        uow.commit()
    return name


def named_by_history(session: Session, code: str) -> bool:
    """Whether a consignment, bulk dispatch run or manifest names carrier ``code``."""
    return any(
        session.scalar(select(column).where(column == code).limit(1)) is not None
        for column in (Consignment.carrier, BulkDispatch.carrier_code, Manifest.carrier)
    )


def masked(settings: Mapping[str, Any]) -> dict[str, Any]:
    """``settings`` with every text value but ``PLAIN_SETTINGS`` reading ``MASK``.

    Mappings are masked inside too; lists (a rate sheet's services) are shown as they are.
    """
    return {key: _masked(key, value) for key, value in settings.items()}


def _masked(key: str, value: Any) -> Any:
    if key in PLAIN_SETTINGS:
        return value
    if isinstance(value, str) and value:
        return MASK
    if isinstance(value, Mapping):
        return masked(value)
    return value


def unmasked(
    typed: Mapping[str, Any], stored: Mapping[str, Any], problems: list[str], where: str
) -> dict[str, Any]:
    """``typed`` with each ``MASK`` or blank text value put back from ``stored``.

    A ``MASK`` where nothing is stored is a problem (the manager must type the value).
    """
    kept: dict[str, Any] = {}
    for key, value in typed.items():
        old = stored.get(key) if isinstance(stored, Mapping) else None
        if value in (MASK, "") and isinstance(old, str):
            kept[key] = old
        elif value == MASK:
            problems.append(f"{where}.{key} reads {MASK} but no value is kept: type its value")
            kept[key] = value
        elif isinstance(value, Mapping) and isinstance(old, Mapping):
            kept[key] = unmasked(value, old, problems, f"{where}.{key}")
        else:
            kept[key] = value
    return kept


def _editable(
    store: SettingsStore, dicts: Mapping[str, dict[str, Any]], code: str
) -> dict[str, Any]:
    """The stored config of ``code``; refused for the built-in, an unknown or a retired one."""
    if code == OWN_LABEL:
        raise ShippingSetupInvalid(
            ["the own-label carrier is built in: change its prices with the rate card"]
        )
    data = dicts.get(code)
    if data is None:
        raise ShippingSetupInvalid([f"no carrier {code!r} is set up"])
    if code in retired_codes(store):
        raise ShippingSetupInvalid(
            [f"the carrier {KarrioConfig.from_dict(data).display_name} is retired and can no "
             "longer change"]
        )  # fmt: skip
    return data


def _known_name(store: SettingsStore, code: str) -> str:
    """The name of carrier ``code``, built in or Karrio; refused when none is set up."""
    if code == OWN_LABEL:
        return OWN_LABEL_NAME
    data = karrio_dicts(store).get(code)
    if data is None:
        raise ShippingSetupInvalid([f"no carrier {code!r} is set up"])
    return KarrioConfig.from_dict(data).display_name


def _refuse_last(session: Session, code: str, name: str, doing: str) -> None:
    """Refuse to retire or delete the one carrier left that can still book."""
    if not any(other != code for other in carrier_codes(session)):
        raise ShippingSetupInvalid(
            [f"the carrier {name} is the only one left to book with: add another carrier, or "
             f"bring a retired one back, before {doing} it"]
        )  # fmt: skip


def _json_object(text: str) -> dict[str, Any]:
    data = parse_carrier_json(text or "", "the carrier is not saved")
    if not isinstance(data, dict):
        raise ShippingSetupInvalid(["the carrier is not saved: a JSON object is expected"])
    return data


def _config(data: Mapping[str, Any], problems: list[str]) -> KarrioConfig:
    try:
        return KarrioConfig.from_dict(data)
    except CarrierMisconfigured as exc:
        raise ShippingSetupInvalid([str(exc), *problems]) from exc


def _move_cutoff(store: SettingsStore, old: str, new: str) -> None:
    """A carrier's daily cut-off follows it to its new code."""
    cutoff = store.get(cutoff_key(old))
    if cutoff is not None:
        store.set(cutoff_key(new), cutoff)
        store.set(cutoff_key(old), None)
