"""The Cin7 status every page's header shows: last sync and calls spent today."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_login import current_user

from station.cin7.budget import cin7_status
from station.extensions import db
from station.models import Role


def init_app(app: Flask) -> None:
    """Offer ``cin7_status`` to every signed-in page, and ``Role`` to every template."""
    app.jinja_env.globals["Role"] = Role

    @app.context_processor
    def inject_status() -> dict[str, Any]:
        if not current_user.is_authenticated:
            return {}
        return {"cin7_status": cin7_status(db.session)}
