"""What every page's header shows: the last Cin7 sync, calls spent today, what needs a
person, cut-off warnings.

The values are read from the database the first time a template uses them, so an htmx
fragment (the bench's scan and ship answers) does not pay for a header it never shows.
The Cin7 status and the Needs attention count come from one statement: each module
that owns a figure hands over its query, and the header asks them together.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from flask import Flask
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import Session
from werkzeug.local import LocalProxy

from station.cin7.budget import Cin7Status, status_columns, status_from, status_parameters
from station.cin7.setaside import set_aside_query
from station.db import utcnow
from station.dispatch.outbox import attention_query
from station.extensions import db
from station.inbox.webhooks import failed_webhook_query
from station.models import Role
from station.settings import settings_store
from station.shipping.cutoffs import closeout_warnings
from station.web.localtime import warehouse_zone


@dataclass(frozen=True, slots=True)
class HeaderFigures:
    """The Cin7 link's status and how many things wait for a person."""

    cin7: Cin7Status
    attention: int


def header_figures(session: Session, now: datetime) -> HeaderFigures:
    """The header's figures in one statement.

    Needs attention counts failed write-backs, failed webhook deliveries and orders the
    sync set aside.
    """
    row = session.execute(_figures_statement(), status_parameters(now)).one()
    return HeaderFigures(cin7=status_from(row, now), attention=row.attention or 0)


@cache
def _figures_statement() -> Select[Any]:
    """Built once per process, as the Cin7 status's columns are (see ``status_columns``)."""
    writebacks, webhooks, set_aside = (
        query.scalar_subquery()
        for query in (attention_query(), failed_webhook_query(), set_aside_query())
    )
    return select(*status_columns(), (writebacks + webhooks + set_aside).label("attention"))


def init_app(app: Flask) -> None:
    """Offer the header's figures to every signed-in page, and ``Role`` to every template."""
    app.jinja_env.globals["Role"] = Role

    @app.context_processor
    def inject_status() -> dict[str, Any]:
        tz = warehouse_zone()
        figures = on_first_use(lambda: header_figures(db.session, utcnow()))
        return {
            "cin7_status": on_first_use(lambda: figures.cin7),
            "attention_count": on_first_use(lambda: figures.attention),
            "closeout_warnings": on_first_use(
                lambda: closeout_warnings(db.session, settings_store(db.session), utcnow(), tz=tz),
                empty=[],
            ),
        }


def on_first_use(compute: Callable[[], Any], *, empty: Any = None) -> Any:
    """A stand-in for ``compute()``'s value, computed once when a template first reads it.

    Nobody signed in reads ``empty`` instead: the header's figures are for staff only.
    """
    return LocalProxy(cache(lambda: compute() if current_user.is_authenticated else empty))
