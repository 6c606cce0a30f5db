"""The carriers this Station ships with, wired to the database for one unit of work.

The own-label carrier is always there, pricing with the active rate card
(``station.shipping.ratecards``). Karrio carriers are configured in Settings: their
configs (which hold carrier credentials) are stored encrypted under ``KARRIO_KEY``.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from station.carriers.base import Carrier
from station.carriers.errors import CarrierMisconfigured
from station.carriers.karrio import KarrioCarrier, KarrioConfig, KarrioGateway, connect
from station.carriers.ownlabel import OwnLabelCarrier, default_services
from station.settings import SHIPPING_SETTINGS, SettingsStore, settings_store
from station.shipping.costs import ShippingSetupInvalid
from station.shipping.ratecards import active_rate_card
from station.shipping.records import SqlConsignmentStore, SqlTicketAllocator
from station.uow import UnitOfWork

if TYPE_CHECKING:
    from station.models import User

OWN_LABEL = "ownlabel"
KARRIO_KEY = "carriers.karrio"


def own_label(session: Session) -> OwnLabelCarrier:
    """The built-in own-label carrier (the active rate card), booking into ``session``."""
    return OwnLabelCarrier(
        rate_card=active_rate_card(SettingsStore(session)),  # plain values: no app needed
        services=default_services(),
        allocator=SqlTicketAllocator(session),
        store=SqlConsignmentStore(session),
    )


def save_karrio_carriers(store: SettingsStore, configs: list[dict[str, Any]]) -> None:
    """Store Karrio carrier configs (encrypted); raises ``CarrierMisconfigured`` for any problem."""
    codes = set()
    for data in configs:
        config = KarrioConfig.from_dict(data)
        problems = config.problems()
        if config.station_code in codes or config.station_code == OWN_LABEL:
            problems.append(f"the code {config.station_code!r} is already used by another carrier")
        if problems:
            raise CarrierMisconfigured(config.display_name, problems)
        _gateway(json.dumps(data, sort_keys=True))  # Karrio checks the connector and services
        codes.add(config.station_code)
    store.set_secret(KARRIO_KEY, json.dumps(configs))


def replace_karrio_carriers(actor: User | None, text: str) -> int:
    """Replace the Karrio carriers with the JSON list a manager typed; returns how many.

    Raises ``ShippingSetupInvalid`` (nothing saved) when the text is not a JSON list of
    objects or a carrier in it is misconfigured. The audit entry holds only the count:
    the configs hold credentials.
    """
    try:
        configs = json.loads(text or "[]")
    except ValueError as exc:
        raise ShippingSetupInvalid([f"Karrio carriers not saved: {exc}"]) from exc
    if not isinstance(configs, list) or not all(isinstance(c, dict) for c in configs):
        raise ShippingSetupInvalid(["Karrio carriers not saved: a JSON list is expected"])
    with UnitOfWork(actor) as uow:
        try:
            save_karrio_carriers(settings_store(uow.session), configs)
        except CarrierMisconfigured as exc:
            raise ShippingSetupInvalid([f"Karrio carriers not saved: {exc}"]) from exc
        uow.record(
            "settings.karrio_carriers.saved",
            target=SHIPPING_SETTINGS,
            detail={"carriers": len(configs)},
        )
        uow.commit()
    return len(configs)


def karrio_configs(store: SettingsStore) -> dict[str, KarrioConfig]:
    """The configured Karrio carriers by Station code."""
    return {code: KarrioConfig.from_dict(data) for code, data in _karrio_dicts(store).items()}


def carrier_codes(session: Session) -> list[str]:
    """The codes of every carrier that can be chosen."""
    return [OWN_LABEL, *_karrio_dicts(settings_store(session))]


def carrier_for(session: Session, code: str) -> Carrier:
    """The carrier called ``code``; raises ``CarrierMisconfigured`` for an unknown one."""
    if code == OWN_LABEL:
        return own_label(session)
    dicts = _karrio_dicts(settings_store(session))
    data = dicts.get(code)
    if data is None:
        known = ", ".join([OWN_LABEL, *dicts])
        raise CarrierMisconfigured(code, [f"no carrier {code!r} is set up (known: {known})"])
    config_json = json.dumps(data, sort_keys=True)
    return KarrioCarrier(
        KarrioConfig.from_dict(data), SqlConsignmentStore(session), gateway=_gateway(config_json)
    )


def _karrio_dicts(store: SettingsStore) -> dict[str, dict[str, Any]]:
    raw = store.get_secret(KARRIO_KEY)
    dicts = json.loads(raw) if raw else []
    return {KarrioConfig.from_dict(data).station_code: data for data in dicts}


@lru_cache(maxsize=16)
def _gateway(config_json: str) -> KarrioGateway:
    """One Karrio connection per configuration (loading Karrio takes most of a second)."""
    return connect(KarrioConfig.from_dict(json.loads(config_json)))
