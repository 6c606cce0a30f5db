"""The inbox settings: where orders move after Cin7 takes, ships or cancels them, and more.

``save_inbox_settings`` and ``forget_shopify_shop`` are a manager's commands: each one
unit of work on the store's session, audited and committed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from station import audit
from station.inbox.shopify_shops import bind_shop_secret, forget_shop_secret
from station.models import User
from station.settings import SettingsStore
from station.uow import UnitOfWork

OPTIONS_KEY = "inbox.options"
SHOPIFY_SECRET_KEY = "inbox.shopify_secret"
LAST_SHIPMENT_CHECK_KEY = "inbox.last_shipment_check"
LAST_INVENTORY_SYNC_KEY = "inbox.last_inventory_sync"
SETTINGS = audit.Target("settings", None, "Inbox")
# Minutes between scheduled inventory syncs a manager may choose; 0 is off.
INVENTORY_SYNC_CHOICES = (0, 15, 30, 60, 120, 240, 360, 720, 1440)
INVENTORY_SYNC_BEFORE_CHOICES = 60  # "on" as saved when the interval was the config's


@dataclass(frozen=True, slots=True)
class InboxOptions:
    """Order Desk's Cin7 settings; a folder of None means the default folder for that step."""

    after_import_folder_id: int | None = None  # default: Submitted
    after_shipment_folder_id: int | None = None  # default: Shipped
    if_canceled_folder_id: int | None = None  # default: Canceled
    default_mail_class: str = ""  # the ship method sent when an order names none
    inventory_sync_minutes: int = 0  # between scheduled stock reads (they spend API calls); 0: off
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
        inventory_sync_minutes=_sync_minutes(saved),
        inventory_include_incoming=bool(saved.get("inventory_include_incoming", False)),
        inventory_subtract_holding=bool(saved.get("inventory_subtract_holding", False)),
    )


def save_options(store: SettingsStore, options: InboxOptions) -> None:
    """Store ``options`` (the caller commits)."""
    store.set(OPTIONS_KEY, asdict(options))


def save_inbox_settings(
    actor: User | None,
    store: SettingsStore,
    options: InboxOptions,
    *,
    shopify_shop: str = "",
    shopify_secret: str = "",
) -> None:
    """``actor`` saves the options and, if given, binds a Shopify shop's signing secret.

    Audited and committed; raises ShopifySecretInvalid (nothing saved) for a bad shop or
    secret. Binding a shop's secret forgets the old unbound one, which is never used.
    """
    with UnitOfWork(actor, store.session) as uow:
        shop = None
        if shopify_shop or shopify_secret:
            shop = bind_shop_secret(store, shopify_shop, shopify_secret)
            store.set_secret(SHOPIFY_SECRET_KEY, None)
        save_options(store, options)
        detail = {
            "shopify_signing_shop": shop,
            "inventory_sync_minutes": options.inventory_sync_minutes,
        }
        uow.record("settings.inbox.saved", target=SETTINGS, detail=detail)
        uow.commit()


def forget_shopify_shop(actor: User | None, store: SettingsStore, shop: str) -> bool:
    """``actor`` forgets a shop's signing secret (audited); False (nothing done) if it had none."""
    with UnitOfWork(actor, store.session) as uow:
        if not forget_shop_secret(store, shop):
            return False
        uow.record(
            "settings.inbox.shopify_secret_forgotten", target=SETTINGS, detail={"shop": shop}
        )
        uow.commit()
    return True


def _sync_minutes(saved: dict[str, object]) -> int:
    """The saved interval, the next longer offered one if it is not offered, or 0 (off).

    Options saved before the interval was a choice hold ``inventory_sync`` on or off;
    "on" meant the default hourly schedule.
    """
    minutes = saved.get("inventory_sync_minutes")
    if not isinstance(minutes, int) or isinstance(minutes, bool):
        return INVENTORY_SYNC_BEFORE_CHOICES if saved.get("inventory_sync") is True else 0
    if minutes <= 0:
        return 0
    return next((m for m in INVENTORY_SYNC_CHOICES if m >= minutes), INVENTORY_SYNC_CHOICES[-1])


def _folder_id(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
