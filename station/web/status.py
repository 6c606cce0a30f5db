"""What every page's header shows: the last Cin7 sync, calls spent today, cut-off warnings.

The values are read from the database the first time a template uses them, so an htmx
fragment (the bench's scan and ship answers) does not pay for a header it never shows.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from flask import Flask
from flask_login import current_user
from werkzeug.local import LocalProxy

from station.cin7.budget import cin7_status
from station.cin7.setaside import set_aside_count
from station.db import utcnow
from station.dispatch.outbox import attention_count
from station.extensions import db
from station.inbox.webhooks import failed_webhook_count
from station.models import Role
from station.settings import settings_store
from station.shipping.cutoffs import closeout_warnings
from station.web.localtime import warehouse_zone


def init_app(app: Flask) -> None:
    """Offer ``cin7_status`` to every signed-in page, and ``Role`` to every template."""
    app.jinja_env.globals["Role"] = Role

    @app.context_processor
    def inject_status() -> dict[str, Any]:
        tz = warehouse_zone()
        return {
            "cin7_status": on_first_use(lambda: cin7_status(db.session)),
            "closeout_warnings": on_first_use(
                lambda: closeout_warnings(db.session, settings_store(db.session), utcnow(), tz=tz),
                empty=[],
            ),
            "attention_count": on_first_use(
                lambda: (
                    attention_count(db.session)
                    + failed_webhook_count(db.session)
                    + set_aside_count(db.session)
                )
            ),
        }


def on_first_use(compute: Callable[[], Any], *, empty: Any = None) -> Any:
    """A stand-in for ``compute()``'s value, computed once when a template first reads it.

    Nobody signed in reads ``empty`` instead: the header's figures are for staff only.
    """
    return LocalProxy(cache(lambda: compute() if current_user.is_authenticated else empty))
