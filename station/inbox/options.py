"""The inbox settings: where orders move after Cin7 takes, ships or cancels them, and more."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from station.settings import SettingsStore

OPTIONS_KEY = "inbox.options"
SHOPIFY_SECRET_KEY = "inbox.shopify_secret"
LAST_SHIPMENT_CHECK_KEY = "inbox.last_shipment_check"
LAST_INVENTORY_SYNC_KEY = "inbox.last_inventory_sync"


@dataclass(frozen=True, slots=True)
class InboxOptions:
    """Order Desk's Cin7 settings; a folder of None means the default folder for that step."""

    after_import_folder_id: int | None = None  # default: Submitted
    after_shipment_folder_id: int | None = None  # default: Shipped
    if_canceled_folder_id: int | None = None  # default: Canceled
    default_mail_class: str = ""  # the ship method sent when an order names none
    inventory_sync: bool = False  # read stock from Cin7 on a schedule (it spends API calls)
    inventory_include_incoming: bool = False  # available + incoming
    inventory_subtract_holding: bool = False  # available − holding


def load_options(store: SettingsStore) -> InboxOptions:
    """The saved inbox options (defaults for anything never saved)."""
    saved = store.get(OPTIONS_KEY) or {}
    return InboxOptions(
        after_import_folder_id=_folder_id(saved.get("after_import_folder_id")),
        after_shipment_folder_id=_folder_id(saved.get("after_shipment_folder_id")),
        if_canceled_folder_id=_folder_id(saved.get("if_canceled_folder_id")),
        default_mail_class=str(saved.get("default_mail_class") or ""),
        inventory_sync=bool(saved.get("inventory_sync", False)),
        inventory_include_incoming=bool(saved.get("inventory_include_incoming", False)),
        inventory_subtract_holding=bool(saved.get("inventory_subtract_holding", False)),
    )


def save_options(store: SettingsStore, options: InboxOptions) -> None:
    """Store ``options`` (the caller commits)."""
    store.set(OPTIONS_KEY, asdict(options))


def _folder_id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
