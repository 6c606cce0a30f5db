"""Settings → Cin7: the connection (environment wins) and which orders the sync brings in."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import BooleanField, IntegerField, PasswordField, StringField
from wtforms.validators import Length, Optional, ValidationError

from station.cin7.allowance import Cin7Action
from station.cin7.branch_cache import list_branches
from station.cin7.client import A_PERSON_WAITS
from station.cin7.errors import Cin7Error
from station.cin7.permissions import PERMISSIONS
from station.cin7.selection import OrderSelection, load_selection
from station.cin7.setup import (
    ConnectionInput,
    ConnectionInvalid,
    check_connection,
    save_cin7_settings,
)
from station.cin7.trigger import TriggerTemplateInvalid, check_template
from station.cin7.wiring import API_KEY_KEY, cin7_wiring
from station.config import SANDBOX_MOUNT
from station.db import utcnow
from station.dispatch.options import load_options
from station.extensions import db
from station.ids import parse_id
from station.models import Role
from station.network import system_resolve
from station.settings import settings_store
from station.sitetime import SETTING as SITE_ZONE_SETTING
from station.sitetime import ZoneUnknown, choose_site_zone, server_zone, zone_names
from station.web.access import role_required
from station.web.cin7_actions import spends_cin7
from station.web.localtime import forget_zone

bp = Blueprint("settings", __name__, url_prefix="/settings")


@bp.context_processor
def cin7_permissions() -> dict[str, object]:
    """The API v1 permissions Station needs, for the Cin7 settings page."""
    return {"cin7_permissions": PERMISSIONS}


ENV_KEYS = ("CIN7_BASE_URL", "CIN7_USERNAME", "CIN7_API_KEY")
TRIGGER_ENV_KEY = "CIN7_SHOPIFY_TRIGGER_URL"


def _int_list(form: FlaskForm, field: StringField) -> None:
    for part in (field.data or "").split(","):
        if part.strip() and parse_id(part) is None:
            raise ValidationError("Branch ids are whole numbers separated by commas.")


MAX_WINDOW_DAYS = 3650


def _window_days(form: FlaskForm, field: IntegerField) -> None:
    """1 to MAX_WINDOW_DAYS, compared as whole numbers (wtforms' NumberRange turns the
    number into a float first, which a long enough number overflows)."""
    if field.data is None or not 1 <= field.data <= MAX_WINDOW_DAYS:
        raise ValidationError(f"Type a number of days from 1 to {MAX_WINDOW_DAYS}.")


class Cin7Form(FlaskForm):
    base_url = StringField("Base URL", validators=[Length(max=255)])
    username = StringField("API username", validators=[Length(max=128)])
    api_key = PasswordField("API key", validators=[Length(max=255)])
    approved_only = BooleanField("Only approved orders")
    include_dispatched = BooleanField("Include orders already dispatched")
    window_days = IntegerField(
        "Orders created in the last (days)",
        validators=[_window_days],
        render_kw={"min": 1, "max": MAX_WINDOW_DAYS},
    )
    branch_ids = StringField(
        "Only these branch ids (comma separated, empty: all)", validators=[Optional(), _int_list]
    )
    stages = StringField(
        "Only these stages (comma separated, empty: all)", validators=[Optional(), Length(max=500)]
    )
    shopify_trigger_url = StringField(
        "Shopify trigger URL ({link_id} and {order_id} are filled in; empty: Cin7's own)",
        validators=[Length(max=1000)],
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
            "shopify_trigger_url": wiring.shopify_trigger_template(db.session),
        }
    )
    env_set = [key for key in ENV_KEYS if current_app.config.get(key)]
    trigger_env = bool(current_app.config.get(TRIGGER_ENV_KEY))
    # `station demo` points Cin7 at the sandbox it mounts (in its config, not the environment)
    demo = bool(current_app.config.get("SANDBOX_ENABLED")) and SANDBOX_MOUNT in str(
        current_app.config.get("CIN7_BASE_URL") or ""
    )
    if form.validate_on_submit():
        refused: list[str] = []
        try:
            save_cin7_settings(
                current_user,
                store,
                connection=None
                if env_set
                else ConnectionInput(
                    base_url=form.base_url.data or "",
                    username=form.username.data or "",
                    api_key=form.api_key.data or None,
                ),
                selection=OrderSelection(
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
                trigger_template=None if trigger_env else form.shopify_trigger_url.data or "",
                allow_private=wiring.allow_private,
                resolve=system_resolve,
            )
        except ConnectionInvalid as exc:
            refused = [str(exc)]
        except TriggerTemplateInvalid as exc:
            refused = exc.problems
        if refused:
            for message in refused:
                flash(message, "error")
            return render_template(
                "settings/cin7.html",
                form=form,
                env_set=env_set,
                trigger_env=trigger_env,
                demo=demo,
                has_key=store.has_secret(API_KEY_KEY),
            ), 422  # type: ignore[return-value]
        flash("Cin7 settings saved. The next sync uses them.", "info")
        return redirect(url_for("settings.cin7"))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "settings/cin7.html",
        form=form,
        env_set=env_set,
        trigger_env=trigger_env,
        demo=demo,
        has_key=store.has_secret(API_KEY_KEY) or bool(conn.api_key),
    ), status  # type: ignore[return-value]


@bp.post("/cin7/shopify-trigger/check")
@role_required(Role.MANAGER)
def check_shopify_trigger() -> str:
    """Check the Shopify trigger URL template typed (or the environment's); sends nothing."""
    wiring = cin7_wiring()
    template = current_app.config.get(TRIGGER_ENV_KEY) or request.form.get(
        "shopify_trigger_url", ""
    )
    check = check_template(
        template[:1000],
        link_id=load_options(wiring.settings(db.session)).shopify_link_id,
        allow_private=wiring.allow_private,
        resolve=system_resolve,
    )
    return render_template("partials/settings/trigger_check.html", check=check)


@bp.post("/cin7/test")
@role_required(Role.MANAGER)
@spends_cin7(Cin7Action.CONNECTION)
def test_cin7() -> str:
    """Try the saved connection with one call and show the answer in place."""
    try:
        with cin7_wiring().client(db.session, retry=A_PERSON_WAITS) as client:
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
    """Cin7's branches (one call), so a manager can pick ids; pages then know their names.

    Used by Settings → Cin7 (the ids the sync brings in) and Inbox → Settings (BranchId).
    """
    wiring = cin7_wiring()
    try:
        branches = list_branches(
            wiring.settings(db.session),
            lambda: wiring.client(db.session, retry=A_PERSON_WAITS),
            now=utcnow(),
        )
    except Cin7Error as exc:
        return render_template("partials/settings/branches.html", branches=None, error=str(exc))
    return render_template("partials/settings/branches.html", branches=branches, error=None)


@bp.route("/site", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def site() -> ResponseReturnValue:
    """The site's time zone: every time on every page is shown in it."""
    if request.method == "POST":
        try:
            chosen = choose_site_zone(
                current_user,
                request.form.get("timezone", ""),
                configured=current_app.config.get("TIMEZONE"),
            )
        except ZoneUnknown as exc:
            return _site_page(error=str(exc)), 422
        forget_zone()
        flash(
            f"Times are shown in {chosen.key} now."
            if chosen
            else "Times follow STATION_TIMEZONE or the server's zone again.",
            "info",
        )
        return redirect(url_for("settings.site"))
    return _site_page()


def _site_page(error: str | None = None) -> str:
    store = settings_store(db.session)
    return render_template(
        "settings/site.html",
        chosen=store.get(SITE_ZONE_SETTING) or "",
        fallback=current_app.config.get("TIMEZONE") or "",
        server=server_zone().key,
        zones=zone_names(),
        error=error,
    )
