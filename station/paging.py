"""Where a page sits in a listing: the arithmetic every paged list shares."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil


@dataclass(frozen=True, slots=True)
class Paged:
    """A page number within ``total`` rows shown ``per_page`` at a time."""

    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the listing has (at least one)."""
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_next(self) -> bool:
        """True when a later page exists."""
        return self.page < self.pages

    @property
    def has_prev(self) -> bool:
        """True when an earlier page exists."""
        return self.page > 1

    @property
    def offset(self) -> int:
        """Rows before this page."""
        return (self.page - 1) * self.per_page
