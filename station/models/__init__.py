"""Station's database models, one module per area; import them from here."""

from station.models.order import OrderLine, Product, ProductOption, SalesOrder
from station.models.printing import JobState, PrintAgent, Printer, PrintJob
from station.models.setting import Setting
from station.models.sync import Cin7CallDay, Cin7CallSlot, SyncRun
from station.models.user import Role, User

__all__ = [
    "Cin7CallDay",
    "Cin7CallSlot",
    "JobState",
    "OrderLine",
    "PrintAgent",
    "PrintJob",
    "Printer",
    "Product",
    "ProductOption",
    "Role",
    "SalesOrder",
    "Setting",
    "SyncRun",
    "User",
]
