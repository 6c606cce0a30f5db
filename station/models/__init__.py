"""Station's database models, one module per area; import them from here."""

from station.models.audit import AuditEvent
from station.models.inbox import (
    ApiToken,
    InboxEvent,
    InboxEventKind,
    InboxFolder,
    InboxImport,
    InboxOrder,
    InboxProductSetting,
    InboxRule,
    InboxRuleRun,
    InboxSource,
    InboxWebhook,
    InventoryLevel,
    ShopifyDelivery,
)
from station.models.order import OrderLine, Product, ProductOption, SalesOrder
from station.models.outbox import BulkDispatch, OutboxItem, OutboxKind, OutboxState
from station.models.printing import JobState, PrintAgent, Printer, PrintJob
from station.models.setting import Setting
from station.models.shipping import (
    Consignment,
    ConsignmentParcel,
    ConsignmentState,
    CostCentre,
    Manifest,
    OrderHold,
    PackagePreset,
    TicketCounter,
)
from station.models.sync import Cin7AllowanceUse, Cin7CallDay, Cin7CallSlot, SetAsideOrder, SyncRun
from station.models.user import FailedSignIn, Role, SignInSession, User

__all__ = [
    "ApiToken",
    "AuditEvent",
    "BulkDispatch",
    "Cin7AllowanceUse",
    "Cin7CallDay",
    "Cin7CallSlot",
    "Consignment",
    "ConsignmentParcel",
    "ConsignmentState",
    "CostCentre",
    "FailedSignIn",
    "InboxEvent",
    "InboxEventKind",
    "InboxFolder",
    "InboxImport",
    "InboxOrder",
    "InboxProductSetting",
    "InboxRule",
    "InboxRuleRun",
    "InboxSource",
    "InboxWebhook",
    "InventoryLevel",
    "JobState",
    "Manifest",
    "OrderHold",
    "OrderLine",
    "OutboxItem",
    "OutboxKind",
    "OutboxState",
    "PackagePreset",
    "PrintAgent",
    "PrintJob",
    "Printer",
    "Product",
    "ProductOption",
    "Role",
    "SalesOrder",
    "Setting",
    "SetAsideOrder",
    "ShopifyDelivery",
    "SignInSession",
    "SyncRun",
    "TicketCounter",
    "User",
]
