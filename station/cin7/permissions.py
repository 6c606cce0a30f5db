"""What Station asks of Cin7 Omni's API v1: each resource, the methods, and why.

Cin7 Omni grants an API user each resource and method separately (Settings → Integrations
& API → API v1 → the user's permissions). The settings page and ``docs/cin7.md`` show this
list, and a test runs every call of ``Cin7Client`` against the sandbox and checks the
list names exactly the resources and methods those calls use.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Permission:
    """One resource of API v1, the methods Station uses on it, and what for."""

    resource: str
    methods: tuple[str, ...]
    why: str

    @property
    def words(self) -> str:
        """The methods as Cin7's permission screen names them (Read, Create, Update)."""
        names = {"GET": "Read", "POST": "Create", "PUT": "Update"}
        return ", ".join(names[m] for m in self.methods)


PERMISSIONS = (
    Permission(
        "SalesOrders",
        ("GET", "POST", "PUT"),
        "Read: the order sync, Refresh from Cin7 and the inbox's shipment check. Update: "
        "Dispatched with tracking after a consignment, the freight cost after a label. "
        "Create: inbox orders submitted to Cin7 (only when the inbox is used).",
    ),
    Permission(
        "Products", ("GET",), "Read: stock control (the batch/serial guard), inventory sync."
    ),
    Permission("ProductOptions", ("GET",), "Read: barcodes and options, inventory sync."),
    Permission("Stock", ("GET",), "Read: stock on hand for the inbox's inventory sync."),
    Permission("Branches", ("GET",), "Read: branch names, and checking an inbox order's BranchId."),
)
