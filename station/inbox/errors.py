"""What can go wrong in the inbox, as exceptions a manager or a shop's developer can act on.

InboxError (a StationError)
 ├── OrderInvalid   an order has problems; ``problems`` maps each field to its messages
 ├── OrderConflict  the shop already sent this order id with different content
 ├── CsvRejected    an uploaded CSV cannot be read at all (too big, not UTF-8, no columns)
 ├── FolderInvalid  a folder cannot be created or removed
 ├── NoteInvalid    a note or tag is empty or too long
 ├── ProductSettingInvalid  a SKU's product setting says nothing clear
 ├── TokenInvalid   an API token cannot be created
 ├── ShopifySecretInvalid  a Shopify signing secret cannot be bound to a shop
 ├── RuleInvalid    a rule cannot be saved
 ├── WebhookRefused a rule's webhook address may not be called (not http(s), private)
 └── WebhookUnreachable  a rule's webhook gets no full answer now (tried again)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from station.errors import StationError
from station.models import InboxOrder


class InboxError(StationError):
    """Something about the inbox a person can act on; ``str()`` says what."""


class OrderInvalid(InboxError):
    """The order cannot be taken; ``problems`` maps a field path (``lines[0].sku``) to messages."""

    def __init__(self, problems: Mapping[str, Sequence[str]]) -> None:
        self.problems = {field: list(messages) for field, messages in problems.items()}
        count = sum(len(m) for m in self.problems.values())
        first = next(iter(self.problems.items()), ("order", ["is invalid"]))
        super().__init__(
            f"The order has {count} problem{'s' if count != 1 else ''}: "
            f"{first[0]} {first[1][0]}" + (" (and more)" if count > 1 else "")
        )


class OrderConflict(InboxError):
    """The same shop order id came again with different content; the first one is kept."""

    def __init__(self, order: InboxOrder) -> None:
        self.order = order
        super().__init__(
            f"Order {order.shop_order_id} from {order.shop} is already in the inbox (as "
            f"{order.reference}) with different content. Station keeps the first one; change "
            "it in Station, or send it under a new order id."
        )


class CsvRejected(InboxError):
    """The uploaded CSV as a whole cannot be read; nothing from it was imported."""


class FolderInvalid(InboxError):
    """A folder cannot be created, renamed or removed."""


class NoteInvalid(InboxError):
    """A note or tag cannot be added to an order."""


class ProductSettingInvalid(InboxError):
    """A product setting cannot be saved; the message says why."""


class TokenInvalid(InboxError):
    """An API token cannot be created."""


class ShopifySecretInvalid(InboxError):
    """A Shopify signing secret cannot be bound to a shop; the message says why."""


class RuleInvalid(InboxError):
    """A rule cannot be saved; the message says what to fix."""


class WebhookRefused(InboxError):
    """A webhook address Station will not call as it stands; trying again will not help."""


class WebhookUnreachable(InboxError):
    """A webhook gets no full answer just now; the delivery is tried again later.

    Its host cannot be looked up, the connection or TLS fails, or the receiver is too slow
    (a network step or the whole POST out of time).
    """
