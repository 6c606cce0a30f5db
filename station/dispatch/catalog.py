"""What every bench form offers (active printers, package presets, cost centres), read
once per change instead of on every scan and Enter.

They change a few times a year and each scan and each Enter needs them. A version in
Settings (read with the other settings, one statement per transaction, which the bench
reads anyway) takes a new value in the same transaction as any change to these rows (a
``before_flush`` hook on every session). Each process keeps the rows' values with the
version it read them under, and reads them again once the version it finds differs, so
no request sees them older than its own transaction's settings.

A request gets them as persistent rows of its own session, made from those values without
a statement (``merge(load=False)``); the preset or cost centre a form named is read the
same way (:meth:`Catalog.get`). Rows are made when first asked for, one at a time where
one is wanted: a site with thirty benches has thirty printers, and a scan or an Enter
prints on one of them.
"""

from __future__ import annotations

import copy
import uuid
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
class _Copy:
    version: str
    by_kind: dict[type[Any], tuple[Values, ...]]  # each kind's active rows, by name


class Catalog:
    """The active printers, presets and cost centres, by name, as rows of one session.

    Rows are made from this process's copy when first asked for, and kept: asking again
    in the same transaction gives the same rows.
    """

    def __init__(self, session: Session, values: _Copy) -> None:
        self._session = session
        self._values = values.by_kind
        self._made: dict[tuple[type[Any], Any], Any] = {}

    @property
    def printers(self) -> list[Printer]:
        """Every active printer, by name."""
        return self._every(Printer)

    @property
    def presets(self) -> list[PackagePreset]:
        """Every active package preset, by name."""
        return self._every(PackagePreset)

    @property
    def cost_centres(self) -> list[CostCentre]:
        """Every active cost centre, by name."""
        return self._every(CostCentre)

    def printer(self, printer_id: int | None) -> Printer | None:
        """Active printer ``printer_id``, else the active printer added first; None if none is."""
        chosen = self._find(Printer, printer_id) or min(
            self._values[Printer], key=lambda v: int(v["id"]), default=None
        )
        return None if chosen is None else self._row(Printer, chosen)

    def get(self, kind: type[Row], row_id: int) -> Row | None:
        """Row ``row_id`` of ``kind``: made from the copy when active (no statement), else read."""
        values = self._find(kind, row_id)
        return self._session.get(kind, row_id) if values is None else self._row(kind, values)

    def _find(self, kind: type[Any], row_id: int | None) -> Values | None:
        return next((v for v in self._values[kind] if v["id"] == row_id), None)

    def _every(self, kind: type[Row]) -> list[Row]:
        return [self._row(kind, values) for values in self._values[kind]]

    def _row(self, kind: type[Row], values: Values) -> Row:
        key = (kind, values["id"])
        if key not in self._made:
            self._made[key] = _attach(self._session, kind, values)
        row: Row = self._made[key]
        return row


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
    catalog = Catalog(session, current)
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
        {
            Printer: _values(session, Printer, Printer.active, Printer.name),
            PackagePreset: _values(
                session, PackagePreset, PackagePreset.active, PackagePreset.name
            ),
            CostCentre: _values(session, CostCentre, CostCentre.active, CostCentre.name),
        },
    )


def _values(session: Session, kind: type[Row], active: Any, name: Any) -> tuple[Values, ...]:
    columns = inspect(kind).column_attrs
    rows = session.scalars(select(kind).where(active).order_by(name))
    return tuple({c.key: copy.deepcopy(getattr(row, c.key)) for c in columns} for row in rows)


def _attach(session: Session, kind: type[Row], values: Values) -> Row:
    # JSON columns (a printer's spec) are the only mutable values: each row gets its own.
    row = kind(
        **{k: copy.deepcopy(v) if isinstance(v, dict | list) else v for k, v in values.items()}
    )
    make_transient_to_detached(row)
    return session.merge(row, load=False)
