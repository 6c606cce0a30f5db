"""Settings → Shipping → Carriers: add Karrio carriers, edit one, delete or retire it, and
retire the built-in own-label carrier or bring a retired one back."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from station.extensions import db
from station.models import Role
from station.shipping.carrier_setup import (
    MASK,
    carrier_setup,
    reinstate_carrier,
    remove_karrio_carrier,
    retire_carrier,
    update_karrio_carrier,
)
from station.shipping.carriers import add_karrio_carriers
from station.shipping.costs import ShippingSetupInvalid
from station.web.access import role_required
from station.web.shipping import KarrioForm, shipping_page

bp = Blueprint("carriers", __name__, url_prefix="/settings/shipping/carriers")

MAX_CONFIG = 200_000  # characters: a generous rate sheet, not a flood


class CarrierForm(FlaskForm):
    config = TextAreaField(
        "Carrier (a JSON object; see docs/carriers.md)", [Length(max=MAX_CONFIG)]
    )


@bp.post("")
@role_required(Role.MANAGER)
def add() -> ResponseReturnValue:
    """Add the Karrio carriers typed (they hold credentials: never shown back)."""
    form = KarrioForm()
    if form.validate_on_submit():
        try:
            names = add_karrio_carriers(current_user, form.configs.data or "")
        except ShippingSetupInvalid as exc:
            flash(str(exc), "error")
        else:
            flash(f"Carrier{'s' if len(names) > 1 else ''} {', '.join(names)} added.", "info")
            return redirect(url_for("shipping.index"))
    return shipping_page(karrio_form=form, status=422)


@bp.route("/<code>/edit", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def edit(code: str) -> ResponseReturnValue:
    """Change a Karrio carrier on its JSON form; masked or blank credentials are kept."""
    setup = carrier_setup(db.session, code) or abort(404, "No such carrier.")
    form = CarrierForm(data={"config": setup.text})
    problem = ""
    if form.validate_on_submit():
        try:
            name = update_karrio_carrier(current_user, code, form.config.data or "")
        except ShippingSetupInvalid as exc:
            problem = str(exc)
        else:
            flash(f"Carrier {name} saved.", "info")
            return redirect(url_for("shipping.index"))
    page = render_template(
        "settings/carrier_edit.html", form=form, setup=setup, mask=MASK, problem=problem
    )
    return page, 422 if form.is_submitted() else 200


@bp.post("/<code>/delete")
@role_required(Role.MANAGER)
def delete(code: str) -> ResponseReturnValue:
    """Delete a Karrio carrier, or retire it when consignments name it."""
    if not FlaskForm().validate_on_submit():
        return shipping_page(status=400)
    try:
        removed = remove_karrio_carrier(current_user, code)
    except ShippingSetupInvalid as exc:
        flash(str(exc), "error")
        return shipping_page(status=422)
    if removed.retired:
        flash(
            f"Carrier {removed.name} retired: consignments name it, so it is kept for them "
            "(its name, voids and manifests) but no longer offered or booked.",
            "info",
        )
    else:
        flash(f"Carrier {removed.name} deleted.", "info")
    return redirect(url_for("shipping.index"))


@bp.post("/<code>/retire")
@role_required(Role.MANAGER)
def retire(code: str) -> ResponseReturnValue:
    """Retire a carrier (the built-in one has no Delete): kept for its consignments only."""
    if not FlaskForm().validate_on_submit():
        return shipping_page(status=400)
    try:
        name = retire_carrier(current_user, code)
    except ShippingSetupInvalid as exc:
        flash(str(exc), "error")
        return shipping_page(status=422)
    flash(
        f"Carrier {name} retired: kept for its consignments (its name, voids and manifests) "
        "but no longer offered or booked.",
        "info",
    )
    return redirect(url_for("shipping.index"))


@bp.post("/<code>/bring-back")
@role_required(Role.MANAGER)
def bring_back(code: str) -> ResponseReturnValue:
    """Bring a retired carrier back: the bench and bulk dispatch offer it again."""
    if not FlaskForm().validate_on_submit():
        return shipping_page(status=400)
    try:
        name = reinstate_carrier(current_user, code)
    except ShippingSetupInvalid as exc:
        flash(str(exc), "error")
        return shipping_page(status=422)
    flash(f"Carrier {name} brought back: offered and booked again.", "info")
    return redirect(url_for("shipping.index"))
