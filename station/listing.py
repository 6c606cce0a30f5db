"""What the paged lists (orders, consignments, print jobs) share: page arithmetic, search."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil
from typing import Any, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

LIKE_ESCAPE = "\\"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Paging:
    """Where one page sits in a listing of ``total`` rows."""

    page: int
    per_page: int
    total: int

    @classmethod
    def at(cls, page: int, *, per_page: int, total: int) -> Paging:
        """Page ``page`` of ``total`` rows, kept between the first page and the last.

        A page number past the end (a stale link, a typed 10**30) shows the last page
        rather than an empty one, and never asks the database for an offset it cannot hold.
        """
        pages = max(1, ceil(total / per_page))
        return cls(page=min(max(1, page), pages), per_page=per_page, total=total)

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


def contains(text: str) -> str:
    """A LIKE pattern matching ``text`` anywhere, its own ``%``, ``_`` and ``\\`` taken literally.

    Use it with ``escape=LIKE_ESCAPE``.
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fetch_page(
    session: Session, stmt: Select[tuple[T]], *, page: int, per_page: int
) -> tuple[list[T], Paging]:
    """Page ``page`` (from 1) of the rows ``stmt`` selects, in its order, and where it sits."""
    paging = Paging.at(page, per_page=per_page, total=_count(session, stmt))
    rows = session.scalars(stmt.limit(per_page).offset(paging.offset))
    return list(rows), paging


def _count(session: Session, stmt: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
