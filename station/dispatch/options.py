"""The dispatch toggles managers set (GoSweetSpot's Cin7 options, and the sender address)."""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING

from station.addresses import Address
from station.dispatch.checks import CONFIRM_STAGES, REFUSED_STAGES, ShipRules
from station.errors import StationError, problems_sentence
from station.settings import SHIPPING_SETTINGS, SettingsStore, settings_store
from station.uow import UnitOfWork

if TYPE_CHECKING:
    from station.models import User

OPTIONS_KEY = "dispatch.options"
SENDER_KEY = "dispatch.sender"


class FreightPush(enum.Enum):
    """What is pushed to Cin7 as the order's freight after the label printed."""

    OFF = "off"
    COST = "cost"  # what the carrier charges
    CHARGED = "charged"  # the cost centre's marked-up amount


class TrackingField(enum.Enum):
    """What goes into Cin7's ``trackingCode`` (at most 50 characters)."""

    URL = "url"  # the tracking URL when it fits, else the ticket (URL into comments)
    TICKET = "ticket"


class OptionsInvalid(StationError):
    """The dispatch options cannot be saved; the message lists every problem."""


@dataclass(frozen=True, slots=True)
class DispatchOptions:
    """How dispatch writes back to Cin7."""

    send_back_ticket: bool = True
    block_batch_serial: bool = True
    freight_push: FreightPush = FreightPush.OFF
    tracking_field: TrackingField = TrackingField.URL
    shopify_link_id: str = ""
    refused_stages: tuple[str, ...] = REFUSED_STAGES  # Cin7 stages the bench refuses
    confirm_stages: tuple[str, ...] = CONFIRM_STAGES  # ... and those it asks to confirm

    @property
    def rules(self) -> ShipRules:
        """What the dispatch checks read of these options."""
        return ShipRules(self.block_batch_serial, self.refused_stages, self.confirm_stages)

    def problems(self) -> list[str]:
        """Why these options cannot be used together (empty when they can)."""
        problems = []
        both = sorted(set(self.refused_stages) & set(self.confirm_stages))
        if both:
            problems.append(
                f"{', '.join(both)} cannot be both refused and shipped after a confirmation"
            )
        if self.shopify_link_id and not self.send_back_ticket:
            problems.append(
                "the Shopify trigger needs 'Send back ticket number': Shopify is only "
                "updated after the Cin7 order is marked Dispatched"
            )
        if self.shopify_link_id and not self.shopify_link_id.strip().isalnum():
            problems.append("the Shopify idCustomerAppsLink is letters and digits only")
        return problems


def load_options(store: SettingsStore) -> DispatchOptions:
    """The saved options (defaults for anything never saved)."""
    saved = store.get(OPTIONS_KEY) or {}
    defaults = DispatchOptions()
    return DispatchOptions(
        send_back_ticket=bool(saved.get("send_back_ticket", defaults.send_back_ticket)),
        block_batch_serial=bool(saved.get("block_batch_serial", defaults.block_batch_serial)),
        freight_push=FreightPush(saved.get("freight_push", defaults.freight_push.value)),
        tracking_field=TrackingField(saved.get("tracking_field", defaults.tracking_field.value)),
        shopify_link_id=str(saved.get("shopify_link_id", "")),
        refused_stages=tuple(saved.get("refused_stages", defaults.refused_stages)),
        confirm_stages=tuple(saved.get("confirm_stages", defaults.confirm_stages)),
    )


def save_options(store: SettingsStore, options: DispatchOptions) -> None:
    """Store ``options``; raises ``OptionsInvalid`` listing every problem."""
    problems = options.problems()
    if problems:
        raise OptionsInvalid(problems_sentence(problems))
    data = asdict(options)
    data["freight_push"] = options.freight_push.value
    data["tracking_field"] = options.tracking_field.value
    data["refused_stages"] = list(options.refused_stages)
    data["confirm_stages"] = list(options.confirm_stages)
    store.set(OPTIONS_KEY, data)


def change_options(
    actor: User | None,
    *,
    send_back_ticket: bool,
    block_batch_serial: bool,
    freight_push: FreightPush,
    tracking_field: TrackingField,
    shopify_link_id: str,
) -> DispatchOptions:
    """Save the dispatch toggles a manager set (the stages stay as they are), and audit it.

    Raises ``OptionsInvalid`` listing every problem; nothing is saved then.
    """
    with UnitOfWork(actor) as uow:
        store = settings_store(uow.session)
        options = replace(
            load_options(store),
            send_back_ticket=send_back_ticket,
            block_batch_serial=block_batch_serial,
            freight_push=freight_push,
            tracking_field=tracking_field,
            shopify_link_id=shopify_link_id.strip(),
        )
        save_options(store, options)
        uow.record(
            "settings.dispatch_options.saved",
            target=SHIPPING_SETTINGS,
            detail={
                "send_back_ticket": send_back_ticket,
                "block_batch_serial": block_batch_serial,
                "freight_push": freight_push.value,
                "tracking_field": tracking_field.value,
            },
        )
        uow.commit()
    return options


@dataclass(frozen=True, slots=True)
class Sender:
    """The warehouse parcels leave from, as printed on labels."""

    name: str = "Station Warehouse"
    company: str = ""
    lines: tuple[str, ...] = field(default=("12 Carbine Road",))
    city: str = "Auckland"
    postcode: str = "1060"
    country: str = "NZ"
    phone: str = ""

    def address(self) -> Address:
        """This sender as carriers read it."""
        return Address(
            name=self.name,
            company=self.company,
            lines=self.lines,
            city=self.city,
            postcode=self.postcode,
            country=self.country,
            phone=self.phone,
        )


def load_sender(store: SettingsStore) -> Sender:
    """The saved sender address (a demo warehouse until one is saved)."""
    saved = store.get(SENDER_KEY)
    if not saved:
        return Sender()
    return Sender(**{**saved, "lines": tuple(saved.get("lines", ()))})
