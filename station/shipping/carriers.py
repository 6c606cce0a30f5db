"""The carriers this Station ships with, wired to the database for one unit of work."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from sqlalchemy.orm import Session

from station.carriers.base import Carrier
from station.carriers.errors import CarrierMisconfigured
from station.carriers.ownlabel import OwnLabelCarrier, default_services
from station.carriers.ratecard import RateCard, load_default_rate_card
from station.shipping.records import SqlConsignmentStore, SqlTicketAllocator

OWN_LABEL = "ownlabel"

CarrierFactory = Callable[[Session], Carrier]


@cache
def _default_card() -> RateCard:
    return load_default_rate_card()


def own_label(session: Session) -> OwnLabelCarrier:
    """The built-in own-label carrier, booking into ``session``'s transaction."""
    return OwnLabelCarrier(
        rate_card=_default_card(),
        services=default_services(),
        allocator=SqlTicketAllocator(session),
        store=SqlConsignmentStore(session),
    )


_FACTORIES: dict[str, CarrierFactory] = {OWN_LABEL: own_label}


def carrier_codes() -> list[str]:
    """The codes of every carrier that can be chosen."""
    return list(_FACTORIES)


def carrier_for(session: Session, code: str) -> Carrier:
    """The carrier called ``code``; raises ``CarrierMisconfigured`` for an unknown one."""
    factory = _FACTORIES.get(code)
    if factory is None:
        raise CarrierMisconfigured(
            code, [f"no carrier {code!r} is set up (known: {', '.join(_FACTORIES)})"]
        )
    return factory(session)
