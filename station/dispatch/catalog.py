"""What every bench form offers (active printers, package presets, cost centres), read
once per change instead of on every scan and Enter.

They change a few times a year and each scan and each Enter needs them. A version in
Settings (read with the other settings, one statement per transaction, which the bench
reads anyway) takes a new value in the same transaction as any change to these rows (a
``before_flush`` hook on every session). Each process keeps the rows' values with the
version it read them under, and reads them again once the version it finds differs, so
no request sees them older than its own transaction's settings.

A request gets them as persistent rows of its own session, made from those values without
a statement (``merge(load=False)``), so ``session.get`` of a preset or cost centre the form
named finds it in the identity map.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import current_app
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, make_transient_to_detached, scoped_session

from station.models import CostCentre, PackagePreset, Printer
from station.settings import SettingsStore

VERSION_KEY = "bench.catalog_version"
_KINDS = (Printer, PackagePreset, CostCentre)
_CACHE = "station.bench_catalog"  # app.extensions: this process's copy
_ATTACHED = "station.bench_catalog"  # session.info: (transaction, Catalog) of this session

Row = TypeVar("Row", Printer, PackagePreset, CostCentre)
Values = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Catalog:
    """The active printers, presets and cost centres, by name, as rows of one session."""

    printers: list[Printer]
    presets: list[PackagePreset]
    cost_centres: list[CostCentre]


@dataclass(frozen=True, slots=True)
class _Copy:
    version: str
    printers: tuple[Values, ...]
    presets: tuple[Values, ...]
    cost_centres: tuple[Values, ...]


def bench_catalog(session: Session) -> Catalog:
    """The catalog as rows of ``session``: no statement when this process's copy is current."""
    whole = session() if isinstance(session, scoped_session) else session
    transaction = whole.get_transaction()
    attached = whole.info.get(_ATTACHED)
    if attached is not None and attached[0] is transaction and transaction is not None:
        return attached[1]
    version = str(SettingsStore(session).get(VERSION_KEY, ""))
    current: _Copy | None = current_app.extensions.get(_CACHE)
    if current is None or current.version != version:
        current = _read(session, version)
        current_app.extensions[_CACHE] = current  # one assignment: threads see old or new
    catalog = Catalog(
        printers=_attach(session, Printer, current.printers),
        presets=_attach(session, PackagePreset, current.presets),
        cost_centres=_attach(session, CostCentre, current.cost_centres),
    )
    # Held for the transaction: the identity map keeps rows only while something does.
    whole.info[_ATTACHED] = (whole.get_transaction(), catalog)
    return catalog


def listen() -> None:
    """Give the version a new value whenever a flush writes one of the catalog's rows."""
    if not event.contains(Session, "before_flush", _changed):
        event.listen(Session, "before_flush", _changed)


def _changed(session: Session, _context: Any, _instances: Any) -> None:
    # A row is dirty when only a relationship to it moved (a print job names its
    # printer): only a change to its own columns counts.
    changed = (
        *session.new,
        *session.deleted,
        *(row for row in session.dirty if session.is_modified(row, include_collections=False)),
    )
    if any(isinstance(row, _KINDS) for row in changed):
        session.info.pop(_ATTACHED, None)
        with session.no_autoflush:
            SettingsStore(session).set(VERSION_KEY, uuid.uuid4().hex)


def _read(session: Session, version: str) -> _Copy:
    return _Copy(
        version,
        _values(session, Printer, Printer.active, Printer.name),
        _values(session, PackagePreset, PackagePreset.active, PackagePreset.name),
        _values(session, CostCentre, CostCentre.active, CostCentre.name),
    )


def _values(session: Session, kind: type[Row], active: Any, name: Any) -> tuple[Values, ...]:
    columns = inspect(kind).column_attrs
    rows = session.scalars(select(kind).where(active).order_by(name))
    return tuple({c.key: copy.deepcopy(getattr(row, c.key)) for c in columns} for row in rows)


def _attach(session: Session, kind: type[Row], values: Sequence[Values]) -> list[Row]:
    attached = []
    for each in values:
        row = kind(**copy.deepcopy(each))
        make_transient_to_detached(row)
        attached.append(session.merge(row, load=False))
    return attached
