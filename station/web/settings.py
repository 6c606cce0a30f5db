"""Settings → Cin7: the connection (environment wins) and which orders the sync brings in."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField, PasswordField, StringField
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from station import audit
from station.cin7.allowance import Cin7Action
from station.cin7.errors import Cin7Error
from station.cin7.selection import OrderSelection, load_selection, save_selection
from station.cin7.setup import ConnectionInvalid, check_connection, save_connection
from station.cin7.wiring import API_KEY_KEY, cin7_wiring
from station.extensions import db
from station.ids import parse_id
from station.models import Role
from station.web.access import role_required
from station.web.cin7_actions import spends_cin7

bp = Blueprint("settings", __name__, url_prefix="/settings")

ENV_KEYS = ("CIN7_BASE_URL", "CIN7_USERNAME", "CIN7_API_KEY")


def _int_list(form: FlaskForm, field: StringField) -> None:
    for part in (field.data or "").split(","):
        if part.strip() and parse_id(part) is None:
            raise ValidationError("Branch ids are whole numbers separated by commas.")


class Cin7Form(FlaskForm):
    base_url = StringField("Base URL", validators=[Length(max=255)])
    username = StringField("API username", validators=[Length(max=128)])
    api_key = PasswordField("API key", validators=[Length(max=255)])
    approved_only = BooleanField("Only approved orders")
    include_dispatched = BooleanField("Include orders already dispatched")
    window_days = IntegerField(
        "Orders created in the last (days)", validators=[NumberRange(1, 3650)]
    )
    branch_ids = StringField(
        "Only these branch ids (comma separated, empty: all)", validators=[Optional(), _int_list]
    )
    stages = StringField(
        "Only these stages (comma separated, empty: all)", validators=[Optional(), Length(max=500)]
    )


@bp.route("/cin7", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def cin7() -> str | Response:
    """Show and save the Cin7 connection and the sync's order selection."""
    wiring = cin7_wiring()
    store = wiring.settings(db.session)
    conn = wiring.connection(db.session)
    selection = load_selection(store)
    form = Cin7Form(
        data={
            "base_url": conn.base_url,
            "username": conn.username,
            "approved_only": selection.approved_only,
            "include_dispatched": selection.include_dispatched,
            "window_days": selection.window_days,
            "branch_ids": ", ".join(str(b) for b in selection.branch_ids),
            "stages": ", ".join(selection.stages),
        }
    )
    env_set = [key for key in ENV_KEYS if current_app.config.get(key)]
    if form.validate_on_submit():
        try:
            if not env_set:
                save_connection(
                    store,
                    base_url=form.base_url.data or "",
                    username=form.username.data or "",
                    api_key=form.api_key.data or None,
                    allow_private=wiring.allow_private,
                )
            save_selection(
                store,
                OrderSelection(
                    approved_only=form.approved_only.data,
                    include_dispatched=form.include_dispatched.data,
                    window_days=form.window_days.data or 30,
                    branch_ids=tuple(
                        int(p) for p in (form.branch_ids.data or "").split(",") if p.strip()
                    ),
                    stages=tuple(
                        p.strip() for p in (form.stages.data or "").split(",") if p.strip()
                    ),
                ),
            )
        except ConnectionInvalid as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template(
                "settings/cin7.html",
                form=form,
                env_set=env_set,
                has_key=store.has_secret(API_KEY_KEY),
            ), 422  # type: ignore[return-value]
        audit.record(
            db.session,
            current_user,
            "settings.cin7.saved",
            target=audit.Target("settings", None, "Cin7"),
            detail={"key_replaced": bool(form.api_key.data) and not env_set},
        )
        db.session.commit()
        flash("Cin7 settings saved. The next sync uses them.", "info")
        return redirect(url_for("settings.cin7"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "settings/cin7.html",
        form=form,
        env_set=env_set,
        has_key=store.has_secret(API_KEY_KEY) or bool(conn.api_key),
    ), status  # type: ignore[return-value]


@bp.post("/cin7/test")
@role_required(Role.MANAGER)
@spends_cin7(Cin7Action.CONNECTION)
def test_cin7() -> str:
    """Try the saved connection with one call and show the answer in place."""
    try:
        with cin7_wiring().client(db.session) as client:
            result = check_connection(client)
    except Cin7Error as exc:
        return render_template(
            "partials/settings/connection_check.html", ok=False, message=str(exc)
        )
    return render_template(
        "partials/settings/connection_check.html", ok=result.ok, message=result.message
    )


@bp.get("/cin7/branches")
@role_required(Role.MANAGER)
@spends_cin7(Cin7Action.CONNECTION)
def cin7_branches() -> str:
    """Cin7's branches (one call), so a manager can pick the ids the sync brings in."""
    try:
        with cin7_wiring().client(db.session) as client:
            branches = sorted(client.branches(), key=lambda b: (not b.is_active, b.id))
    except Cin7Error as exc:
        return render_template("partials/settings/branches.html", branches=None, error=str(exc))
    return render_template("partials/settings/branches.html", branches=branches, error=None)
