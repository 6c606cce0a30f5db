"""Settings → Shipping: dispatch toggles, carriers and rate card, cost centres, presets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from station.carriers.errors import RateCardProblem
from station.carriers.ownlabel import default_services
from station.db import utcnow
from station.dispatch.options import (
    FreightPush,
    OptionsInvalid,
    TrackingField,
    change_options,
    load_options,
)
from station.dispatch.stages import change_stages, known_stages
from station.extensions import db
from station.models import CostCentre, PackagePreset, Role
from station.settings import settings_store
from station.shipping import ratecards
from station.shipping.carriers import OWN_LABEL, OWN_LABEL_NAME, karrio_configs, retired_codes
from station.shipping.costs import (
    CostCentreInput,
    PresetInput,
    Removed,
    ShippingSetupInvalid,
    create_cost_centre,
    create_package_preset,
    make_cost_centre_default,
    remove_cost_centre,
    remove_package_preset,
    update_cost_centre,
    update_package_preset,
)
from station.shipping.ratecards import (
    MAX_RATE_CARD_BYTES,
    RateCardRejected,
    downloadable_rate_card,
    uploaded_rate_card,
    use_default_rate_card,
)
from station.web.access import role_required

bp = Blueprint("shipping", __name__, url_prefix="/settings/shipping")


class OptionsForm(FlaskForm):
    send_back_ticket = BooleanField("Send back ticket number (mark the Cin7 order Dispatched)")
    block_batch_serial = BooleanField("Do not fulfil orders with Batch/Serial items")
    freight_push = SelectField(
        "Push freight to Cin7 after the label printed",
        choices=[
            SelectChoice(FreightPush.OFF.value, "Off"),
            SelectChoice(FreightPush.COST.value, "Carrier cost"),
            SelectChoice(FreightPush.CHARGED.value, "Marked-up cost (the cost centre's markup)"),
        ],
    )
    tracking_field = SelectField(
        "Cin7 tracking code holds",
        choices=[
            SelectChoice(
                TrackingField.URL.value, "The tracking URL (the ticket number when it is too long)"
            ),
            SelectChoice(
                TrackingField.TICKET.value, "The ticket number (URL in internal comments)"
            ),
        ],
    )
    shopify_link_id = StringField(
        "Shopify trigger: idCustomerAppsLink", validators=[Optional(), Length(max=64)]
    )


class StagesForm(FlaskForm):
    refused = StringField("Refuse orders at these Cin7 stages", validators=[Length(max=2000)])
    confirm = StringField(
        "Ask the packer to confirm at these stages", validators=[Length(max=2000)]
    )


class KarrioForm(FlaskForm):
    configs = TextAreaField("Add Karrio carriers (a JSON object or list; see docs/carriers.md)")


class RateCardForm(FlaskForm):
    csv_file = FileField("Rate card CSV", validators=[FileRequired("Choose a CSV file.")])


class CostCentreForm(FlaskForm):
    name = StringField("Name")
    markup_percent = StringField("Markup %", default="0")
    markup_fixed = StringField("Fixed markup", default="0.00")
    is_default = BooleanField("Default")


class PresetForm(FlaskForm):
    name = StringField("Name")
    length_mm = StringField("Length (mm)")
    width_mm = StringField("Width (mm)")
    height_mm = StringField("Height (mm)")
    tare_grams = StringField("Empty weight (g)", default="0")


@bp.get("/")
@role_required(Role.MANAGER)
def index() -> ResponseReturnValue:
    """The shipping settings page."""
    return shipping_page()


@bp.post("/options")
@role_required(Role.MANAGER)
def options() -> ResponseReturnValue:
    """Save the dispatch toggles."""
    form = OptionsForm()

    def save() -> str:
        change_options(
            current_user,
            send_back_ticket=form.send_back_ticket.data,
            block_batch_serial=form.block_batch_serial.data,
            freight_push=FreightPush(form.freight_push.data),
            tracking_field=TrackingField(form.tracking_field.data),
            shopify_link_id=form.shopify_link_id.data or "",
        )
        return "Dispatch options saved; the next consignment uses them."

    return _save(form, "options_form", save)


@bp.post("/stages")
@role_required(Role.MANAGER)
def stages() -> ResponseReturnValue:
    """Save the Cin7 stages that must not ship, and those shipped only once confirmed."""
    form = StagesForm()

    def save() -> str:
        saved = change_stages(
            current_user, refused=form.refused.data or "", confirm=form.confirm.data or ""
        )
        unseen = (
            f" No order in Station is at {', '.join(saved.unseen)} yet: check the spelling "
            "matches Cin7's."
            if saved.unseen
            else ""
        )
        return f"Stages saved: the bench, bulk dispatch and the order list use them now.{unseen}"

    return _save(form, "stages_form", save)


@bp.post("/rate-card")
@role_required(Role.MANAGER)
def upload_rate_card() -> ResponseReturnValue:
    """Replace the own-label rate card with an uploaded CSV, or list every problem in it."""
    form = RateCardForm()
    if not form.validate_on_submit():
        return shipping_page(rate_card_form=form, status=422)
    upload = form.csv_file.data
    try:
        ratecards.upload_rate_card(
            current_user,
            upload.stream.read(MAX_RATE_CARD_BYTES + 1),
            filename=upload.filename or "",
            now=utcnow(),
        )
    except RateCardRejected as exc:
        flash(f"Rate card {exc}.", "error")
        return shipping_page(rate_card_form=form, rate_card_rows=exc.rows, status=422)
    flash("Rate card saved: the own-label carrier prices with it from now on.", "info")
    return redirect(url_for("shipping.index"))


@bp.get("/rate-card.csv")
@role_required(Role.MANAGER)
def download_rate_card() -> ResponseReturnValue:
    """The active own-label rate card as CSV, to change in a spreadsheet and upload again."""
    return Response(
        downloadable_rate_card(settings_store(db.session)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="ownlabel-rate-card.csv"'},
    )


@bp.post("/rate-card/revert")
@role_required(Role.MANAGER)
def revert_to_default_rate_card() -> ResponseReturnValue:
    """Forget the uploaded rate card: Station's default prices again."""
    if FlaskForm().validate_on_submit():
        use_default_rate_card(current_user)
        flash("The default rate card is active again.", "info")
    return redirect(url_for("shipping.index"))


@bp.post("/cost-centres")
@role_required(Role.MANAGER)
def add_cost_centre() -> ResponseReturnValue:
    """Add a cost centre."""
    form = CostCentreForm()

    def save() -> str:
        centre = create_cost_centre(
            current_user,
            _centre_input(form, is_default=form.is_default.data),
        )
        if centre.is_default and not form.is_default.data:  # the first one: see save_cost_centre
            return (
                f"Cost centre {centre.name} added. It is the default, as the only cost centre: "
                "the bench chooses it and marks up freight with it until you make another "
                "one the default."
            )
        return f"Cost centre {centre.name} added."

    return _save(form, "centre_form", save)


@bp.post("/cost-centres/<int:centre_id>/default")
@role_required(Role.MANAGER)
def default_cost_centre(centre_id: int) -> ResponseReturnValue:
    """Make a cost centre the default."""
    if FlaskForm().validate_on_submit():
        centre = db.get_or_404(CostCentre, centre_id)
        try:
            make_cost_centre_default(current_user, centre)
        except ShippingSetupInvalid as exc:
            flash(str(exc), "error")
            return shipping_page(status=422)
        flash(f"{centre.name} is now the default cost centre.", "info")
    return redirect(url_for("shipping.index"))


@bp.route("/cost-centres/<int:centre_id>/edit", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def edit_cost_centre(centre_id: int) -> ResponseReturnValue:
    """Change a cost centre's name and markup."""
    centre = db.get_or_404(CostCentre, centre_id)
    form = CostCentreForm(
        data={
            "name": centre.name,
            "markup_percent": format(centre.markup_percent.normalize(), "f"),
            "markup_fixed": str(centre.markup_fixed),
        }
    )

    def save() -> str:
        update_cost_centre(
            current_user,
            centre,
            _centre_input(form),
        )
        return f"Cost centre {centre.name} saved."

    return _edit(form, save, kind="cost centre", name=centre.name)


@bp.post("/cost-centres/<int:centre_id>/delete")
@role_required(Role.MANAGER)
def delete_cost_centre(centre_id: int) -> ResponseReturnValue:
    """Delete a cost centre, or retire it when consignments name it."""
    centre = db.get_or_404(CostCentre, centre_id)
    return _remove(lambda: remove_cost_centre(current_user, centre), kind="Cost centre")


@bp.route("/presets/<int:preset_id>/edit", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def edit_preset(preset_id: int) -> ResponseReturnValue:
    """Change a package preset's name, size and empty weight."""
    preset = db.get_or_404(PackagePreset, preset_id)
    form = PresetForm(
        data={
            "name": preset.name,
            "length_mm": str(preset.length_mm),
            "width_mm": str(preset.width_mm),
            "height_mm": str(preset.height_mm),
            "tare_grams": str(preset.tare_grams),
        }
    )

    def save() -> str:
        update_package_preset(
            current_user,
            preset,
            _preset_input(form),
        )
        return f"Package preset {preset.name} saved."

    return _edit(form, save, kind="package preset", name=preset.name)


@bp.post("/presets/<int:preset_id>/delete")
@role_required(Role.MANAGER)
def delete_preset(preset_id: int) -> ResponseReturnValue:
    """Delete a package preset, or retire it when a bulk dispatch run names it."""
    preset = db.get_or_404(PackagePreset, preset_id)
    return _remove(lambda: remove_package_preset(current_user, preset), kind="Package preset")


def _edit(form: FlaskForm, save: Callable[[], str], *, kind: str, name: str) -> ResponseReturnValue:
    """The edit page of one cost centre or preset; on a valid POST, ``save`` (one service call)."""
    problem = ""
    if form.validate_on_submit():
        try:
            message = save()
        except ShippingSetupInvalid as exc:
            problem = str(exc)
        else:
            flash(message, "info")
            return redirect(url_for("shipping.index"))
    page = render_template(
        "settings/shipping_edit.html", form=form, kind=kind, name=name, problem=problem
    )
    return page, 422 if form.is_submitted() else 200


def _remove(remove: Callable[[], Removed], *, kind: str) -> ResponseReturnValue:
    """Run ``remove`` (one service call) and say whether the row went or was retired."""
    if not FlaskForm().validate_on_submit():
        return shipping_page(status=400)
    try:
        removed = remove()
    except ShippingSetupInvalid as exc:
        flash(str(exc), "error")
        return shipping_page(status=422)
    if removed.retired:
        flash(
            f"{kind} {removed.name} retired: consignments or bulk dispatch runs name it, so it "
            "is kept for them but no longer offered.",
            "info",
        )
    else:
        flash(f"{kind} {removed.name} deleted.", "info")
    return redirect(url_for("shipping.index"))


@bp.post("/presets")
@role_required(Role.MANAGER)
def add_preset() -> ResponseReturnValue:
    """Add a package preset."""
    form = PresetForm()

    def save() -> str:
        preset = create_package_preset(
            current_user,
            _preset_input(form),
        )
        return f"Package preset {preset.name} added."

    return _save(form, "preset_form", save)


def _centre_input(form: CostCentreForm, *, is_default: bool = False) -> CostCentreInput:
    """What the cost-centre form says, as the services take it (blank markups are 0)."""
    return CostCentreInput(
        form.name.data or "",
        form.markup_percent.data or "0",
        form.markup_fixed.data or "0",
        is_default=is_default,
    )


def _preset_input(form: PresetForm) -> PresetInput:
    """What the package-preset form says, as the services take it (blank tare is 0 g)."""
    return PresetInput(
        form.name.data or "",
        form.length_mm.data or "",
        form.width_mm.data or "",
        form.height_mm.data or "",
        form.tare_grams.data or "0",
    )


def _save(form: FlaskForm, slot: str, save: Callable[[], str]) -> ResponseReturnValue:
    """Validate ``form`` and run ``save`` (one service call); or show the page again with why (422)."""
    if form.validate_on_submit():
        try:
            message = save()
        except (ShippingSetupInvalid, OptionsInvalid) as exc:
            flash(str(exc), "error")
        else:
            flash(message, "info")
            return redirect(url_for("shipping.index"))
    return shipping_page(**{slot: form}, status=422)


def shipping_page(
    *,
    options_form: OptionsForm | None = None,
    stages_form: StagesForm | None = None,
    karrio_form: KarrioForm | None = None,
    centre_form: CostCentreForm | None = None,
    preset_form: PresetForm | None = None,
    rate_card_form: RateCardForm | None = None,
    rate_card_rows: tuple[RateCardProblem, ...] = (),
    status: int = 200,
) -> tuple[str, int]:
    """The shipping settings page with these forms (as posted) and the others blank."""
    saved = load_options(settings_store(db.session))
    options_form = options_form or OptionsForm(
        data={
            "send_back_ticket": saved.send_back_ticket,
            "block_batch_serial": saved.block_batch_serial,
            "freight_push": saved.freight_push.value,
            "tracking_field": saved.tracking_field.value,
            "shopify_link_id": saved.shopify_link_id,
        }
    )
    stages_form = stages_form or StagesForm(
        data={
            "refused": ", ".join(saved.refused_stages),
            "confirm": ", ".join(saved.confirm_stages),
        }
    )
    return render_template(
        "settings/shipping.html",
        options_form=options_form,
        stages_form=stages_form,
        stages_seen=known_stages(db.session),
        karrio_form=karrio_form or KarrioForm(formdata=None),
        carriers=_carriers(),
        rate_card_form=rate_card_form or RateCardForm(formdata=None),
        rate_card_rows=rate_card_rows,
        rate_card=uploaded_rate_card(settings_store(db.session)),
        centre_form=centre_form or CostCentreForm(formdata=None),
        preset_form=preset_form or PresetForm(formdata=None),
        action_form=FlaskForm(formdata=None),
        centres=db.session.scalars(
            select(CostCentre).order_by(CostCentre.active.desc(), CostCentre.name)
        ).all(),
        presets=db.session.scalars(
            select(PackagePreset).order_by(PackagePreset.active.desc(), PackagePreset.name)
        ).all(),
    ), status


@dataclass(frozen=True, slots=True)
class CarrierRow:
    """One carrier in the list: no settings, no secrets."""

    code: str
    name: str
    services: str
    built_in: bool = False
    retired: bool = False


def _carriers() -> list[CarrierRow]:
    """Every carrier, the built-in own-label one first, retired ones last."""
    store = settings_store(db.session)
    retired = retired_codes(store)
    own = ", ".join(s.name for s in default_services())
    rows = [CarrierRow(OWN_LABEL, OWN_LABEL_NAME, own, built_in=True, retired=OWN_LABEL in retired)]
    for code, config in karrio_configs(store).items():
        services = ", ".join(s.name for s in config.services)
        rows.append(CarrierRow(code, config.display_name, services, retired=code in retired))
    return sorted(rows, key=lambda row: row.retired)
