"""Numbers from URLs, query strings and forms: only values a database id can hold.

Id columns are INTEGER (32 bits on PostgreSQL, 64 in SQLite); a bigger number in a URL
or a form used to reach the driver and fail there (NumericValueOutOfRange, OverflowError).
The ``int`` URL converter refuses such a path (404, like any id that is not there) and
``db_int`` reads a query or form value as missing, so the view's own "not found" or
default applies.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask
from werkzeug.routing import IntegerConverter, Map

from station.ids import MAX_ID, parse_id


class DatabaseIdConverter(IntegerConverter):
    """``<int:...>`` that matches only numbers a database id column can hold."""

    def __init__(self, map: Map, *args: object, **kwargs: object) -> None:  # noqa: A002
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)  # type: ignore[arg-type]


def init_app(app: Flask) -> None:
    """Make ``<int:...>`` in every route refuse ids past ``MAX_ID`` (before any rule is added)."""
    app.url_map.converters["int"] = DatabaseIdConverter


def db_int(text: str) -> int:
    """``int(text)`` when it fits a database integer; ValueError otherwise.

    Pass it as ``type=`` to ``request.args.get`` / ``request.form.get``, which then
    answer the default for a value out of range as for one that is not a number.
    """
    value = int(text)
    if not -MAX_ID - 1 <= value <= MAX_ID:
        raise ValueError(f"{text[:30]!r} is outside the range of a database integer")
    return value


def db_ids(values: Iterable[str]) -> list[int]:
    """The values that are ids (digits, within range), in order; the rest are dropped."""
    return [i for i in map(parse_id, values) if i is not None]
