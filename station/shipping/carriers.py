"""The carriers this Station ships with, wired to the database for one unit of work.

The own-label carrier is always there, pricing with the active rate card
(``station.shipping.ratecards``). Karrio carriers are configured in Settings: their
configs (which hold carrier credentials) are stored encrypted under ``KARRIO_KEY``.
A retired carrier (``RETIRED_KEY``, its code in a plain list) keeps its config, so its
consignments still show its name and can be voided, but it is neither offered nor booked.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from station import audit
from station.carriers.base import Carrier
from station.carriers.errors import CarrierMisconfigured
from station.carriers.karrio import KarrioCarrier, KarrioConfig, KarrioGateway, connect
from station.carriers.ownlabel import OwnLabelCarrier, default_services
from station.settings import SettingsStore, settings_store
from station.shipping.costs import ShippingSetupInvalid
from station.shipping.ratecards import active_rate_card
from station.shipping.records import SqlConsignmentStore, SqlTicketAllocator
from station.sitetime import reader_zone
from station.uow import UnitOfWork

if TYPE_CHECKING:
    from station.models import User

OWN_LABEL = "ownlabel"
OWN_LABEL_NAME = "Own label"
KARRIO_KEY = "carriers.karrio"
RETIRED_KEY = "carriers.retired"


def own_label(session: Session) -> OwnLabelCarrier:
    """The built-in own-label carrier (the active rate card), booking into ``session``."""
    return OwnLabelCarrier(
        rate_card=active_rate_card(SettingsStore(session)),  # plain values: no app needed
        services=default_services(),
        allocator=SqlTicketAllocator(session),
        store=SqlConsignmentStore(session),
        label_tz=reader_zone(),  # labels dated with the day people read
        code=OWN_LABEL,
        name=OWN_LABEL_NAME,
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


def add_karrio_carriers(actor: User | None, text: str) -> list[str]:
    """Add the Karrio carriers a manager typed (a JSON object or list); returns their names.

    The carriers already set up stay as they are: each is changed on its own edit page.
    Raises ``ShippingSetupInvalid`` (nothing saved) when the text is not JSON objects, a
    carrier in it is misconfigured or its code is taken. Each new carrier is audited by
    name and code only: the configs hold credentials.
    """
    configs = parse_carrier_json(text or "[]", "Karrio carriers not saved")
    if isinstance(configs, dict):
        configs = [configs]
    if not isinstance(configs, list) or not all(isinstance(c, dict) for c in configs):
        raise ShippingSetupInvalid(["Karrio carriers not saved: a JSON list is expected"])
    if not configs:
        raise ShippingSetupInvalid(["Karrio carriers not saved: the list is empty"])
    with UnitOfWork(actor) as uow:
        store = settings_store(uow.session)
        hold_carrier_setup(store)
        try:
            save_karrio_carriers(store, [*karrio_dicts(store).values(), *configs])
        except CarrierMisconfigured as exc:
            raise ShippingSetupInvalid([f"Karrio carriers not saved: {exc}"]) from exc
        added = [KarrioConfig.from_dict(data) for data in configs]
        for config in added:
            uow.record(
                "settings.carrier.added",
                target=carrier_target(config.display_name),
                detail={"code": config.station_code},
            )
        uow.commit()
    return [config.display_name for config in added]


MAX_DEPTH = 32  # carrier configs nest a few levels; far deeper is a mistake or an attack


def parse_carrier_json(text: str, refusal: str) -> Any:
    """The JSON a manager typed for carriers; ``ShippingSetupInvalid`` starting with
    ``refusal`` when it is not JSON or nests deeper than ``MAX_DEPTH``."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        why = "it nests too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ShippingSetupInvalid([f"{refusal}: {why}"]) from exc
    level, depth = [data], 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            raise ShippingSetupInvalid([f"{refusal}: it nests more than {MAX_DEPTH} deep"])
        level = [
            child
            for value in level
            if isinstance(value, dict | list)
            for child in (value.values() if isinstance(value, dict) else value)
        ]
    return data


def carrier_target(name: str) -> audit.Target:
    """What an audit entry about a carrier names (carriers are settings, not rows)."""
    return audit.Target("carrier", None, name)


def karrio_configs(store: SettingsStore) -> dict[str, KarrioConfig]:
    """The configured Karrio carriers by Station code, retired ones included."""
    return {code: KarrioConfig.from_dict(data) for code, data in karrio_dicts(store).items()}


def hold_carrier_setup(store: SettingsStore) -> None:
    """Hold the carrier list and the retired list until the transaction ends.

    Every change to them is made from what is stored (a carrier added to the list, one
    retired): two managers saving at once would each write the list they read, and the
    one who saved first would lose the change. Call before reading them.
    """
    store.lock(KARRIO_KEY, RETIRED_KEY)


def retired_codes(store: SettingsStore) -> set[str]:
    """The codes of the retired carriers (kept for their consignments, never booked)."""
    return set(store.get(RETIRED_KEY, []))


def carrier_codes(session: Session) -> list[str]:
    """The codes of every carrier that can be chosen (retired ones are not)."""
    store = settings_store(session)
    retired = retired_codes(store)
    return [code for code in [OWN_LABEL, *karrio_dicts(store)] if code not in retired]


def retired_problem(session: Session, code: str) -> str | None:
    """Why carrier ``code`` takes no new booking (it is retired), or None when it may."""
    if code not in retired_codes(SettingsStore(session)):
        return None
    try:
        name = carrier_for(session, code).name
    except CarrierMisconfigured:
        name = code
    return f"the carrier {name} is retired: choose another carrier's service"


def carrier_for(session: Session, code: str) -> Carrier:
    """The carrier called ``code``; raises ``CarrierMisconfigured`` for an unknown one."""
    if code == OWN_LABEL:
        return own_label(session)
    dicts = karrio_dicts(settings_store(session))
    data = dicts.get(code)
    if data is None:
        known = ", ".join([OWN_LABEL, *dicts])
        raise CarrierMisconfigured(code, [f"no carrier {code!r} is set up (known: {known})"])
    config_json = json.dumps(data, sort_keys=True)
    return KarrioCarrier(
        KarrioConfig.from_dict(data),
        SqlConsignmentStore(session),
        gateway=_gateway(config_json),
        label_tz=reader_zone(),  # labels dated with the day people read
    )


def karrio_dicts(store: SettingsStore) -> dict[str, dict[str, Any]]:
    """The stored Karrio configs (credentials and all) by Station code, in the order saved."""
    raw = store.get_secret(KARRIO_KEY)
    dicts = json.loads(raw) if raw else []
    return {KarrioConfig.from_dict(data).station_code: data for data in dicts}


@lru_cache(maxsize=16)
def _gateway(config_json: str) -> KarrioGateway:
    """One Karrio connection per configuration (loading Karrio takes most of a second)."""
    return connect(KarrioConfig.from_dict(json.loads(config_json)))
