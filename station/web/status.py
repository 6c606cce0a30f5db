"""What every page's header shows: the last Cin7 sync, calls spent today, cut-off warnings."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app
from flask_login import current_user

from station.cin7.budget import cin7_status
from station.db import utcnow
from station.dispatch.outbox import attention_count
from station.extensions import db
from station.inbox.webhooks import failed_webhook_count
from station.models import Role
from station.settings import settings_store
from station.shipping.cutoffs import closeout_warnings, zone_named


def init_app(app: Flask) -> None:
    """Offer ``cin7_status`` to every signed-in page, and ``Role`` to every template."""
    app.jinja_env.globals["Role"] = Role

    @app.context_processor
    def inject_status() -> dict[str, Any]:
        if not current_user.is_authenticated:
            return {}
        warnings = closeout_warnings(
            db.session,
            settings_store(db.session),
            utcnow(),
            tz=zone_named(current_app.config.get("TIMEZONE")),
        )
        return {
            "cin7_status": cin7_status(db.session),
            "closeout_warnings": warnings,
            "attention_count": attention_count(db.session) + failed_webhook_count(db.session),
        }
