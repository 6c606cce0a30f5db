"""Cin7 list parameters over a list of records: where, order, page, rows, fields."""

from __future__ import annotations

import zlib
from collections.abc import Collection, Iterable, Mapping
from typing import Any

from station.cin7.sandbox.schema import field_value, is_date_field, parse_date
from station.cin7.sandbox.where import WhereError, check_field, parse_where

DEFAULT_ROWS = 50
MAX_ROWS = 250


def list_records(
    records: Iterable[Mapping[str, Any]],
    params: Mapping[str, str],
    *,
    known: Collection[str] | None = None,
    ties_by_id: bool = True,
) -> list[dict[str, Any]]:
    """Apply ``where``, ``order``, ``page``, ``rows`` and ``fields``; raises WhereError on bad input.

    ``known`` are the resource's fields: a ``where`` or ``order`` naming another is bad
    input (None: any name goes). ``page=0`` reads as page 1, as Cin7 reads it. Rows that
    tie on every ``order`` key come in id order, or with ``ties_by_id=False`` in a fixed
    order of the sandbox's own, as a database that promises none may serve them.
    """
    items = list(records)
    where = params.get("where")
    if where:
        predicate = parse_where(where, known)
        items = [r for r in items if predicate(r)]
    items = _sorted(items, params.get("order") or "", known=known, ties_by_id=ties_by_id)
    page = max(1, _whole(params.get("page"), 1, "page", least=0))
    rows = min(_whole(params.get("rows"), DEFAULT_ROWS, "rows", least=1), MAX_ROWS)
    chosen = items[(page - 1) * rows : page * rows]
    fields = [f.strip() for f in (params.get("fields") or "").split(",") if f.strip()]
    return [_pick(r, fields) for r in chosen]


def _whole(text: str | None, default: int, name: str, *, least: int) -> int:
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        raise WhereError(f"{name} must be a whole number") from None
    if value < least:
        raise WhereError(f"{name} must be {least} or more")
    return value


def _sorted(
    items: list[Mapping[str, Any]],
    order: str,
    *,
    known: Collection[str] | None,
    ties_by_id: bool,
) -> list[Mapping[str, Any]]:
    """Sort by each comma-separated ``field [ASC|DESC]`` in turn; then ties by id or shuffled."""
    keys: list[tuple[str, bool]] = []
    for part in order.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].upper() not in {"ASC", "DESC"}):
            raise WhereError(f"order cannot read {part.strip()!r}")
        check_field(words[0], known, "order")
        keys.append((words[0], len(words) == 2 and words[1].upper() == "DESC"))
    result = sorted(items, key=_tie_key if not ties_by_id else _id_key)
    for name, descending in reversed(keys):  # stable sorts: the first key decides last
        as_date = is_date_field(name)
        result.sort(
            key=lambda r, f=name, d=as_date: _sort_key(field_value(r, f), as_date=d),  # type: ignore[misc]
            reverse=descending,
        )
    return result


def _id_key(record: Mapping[str, Any]) -> tuple[int, Any]:
    return _sort_key(field_value(record, "id"), as_date=False)


def _tie_key(record: Mapping[str, Any]) -> int:
    """A fixed order unrelated to id (a hash of it), the same on every request."""
    return zlib.crc32(repr(field_value(record, "id")).encode())


def _sort_key(value: Any, *, as_date: bool) -> tuple[int, Any]:
    """Nulls first, then numbers, dates as instants, text without regard to case."""
    if value is None:
        return (0, 0)
    if isinstance(value, (int, float)):
        return (1, value)
    if isinstance(value, str):
        if as_date:
            try:
                return (2, parse_date(value).timestamp())
            except ValueError:
                pass  # a date field holding text sorts with the text
        return (3, value.lower())
    return (4, str(value))


def _pick(record: Mapping[str, Any], fields: list[str]) -> dict[str, Any]:
    if not fields:
        return dict(record)
    wanted = {f.lower() for f in fields}
    return {k: v for k, v in record.items() if k.lower() in wanted}
