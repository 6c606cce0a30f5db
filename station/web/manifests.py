"""Manifests: each carrier's end-of-day close-out, cut-off time and manifest PDFs."""

from __future__ import annotations

from datetime import tzinfo

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import StringField
from wtforms.validators import Length

from station.db import utcnow
from station.extensions import db
from station.labels.layout import format_weight
from station.models import Manifest, Role, User
from station.settings import settings_store
from station.shipping.cutoffs import Cutoff, CutoffInvalid, change_cutoff, closeout_board
from station.shipping.manifests import CloseOutRefused, carrier_name, close_out, manifest_pdf
from station.web.access import role_required
from station.web.localtime import warehouse_zone

bp = Blueprint("manifests", __name__, url_prefix="/manifests")


class CloseOutForm(FlaskForm):
    """Only the CSRF token: the carrier is in the URL."""


class CutoffForm(FlaskForm):
    cutoff = StringField("Cut-off (HH:MM)", validators=[Length(max=8)])


def _zone() -> tzinfo:
    return warehouse_zone()


def _page(*, error: str | None = None, status: int = 200) -> tuple[str, int]:
    tz = _zone()
    board = closeout_board(db.session, settings_store(db.session), now=utcnow(), tz=tz)
    return render_template(
        "manifests/index.html",
        board=board,
        error=error,
        tz=tz,
        format_weight=format_weight,
    ), status


@bp.get("")
@role_required(Role.MANAGER)
def index() -> tuple[str, int]:
    """Each carrier's waiting consignments, cut-off, close-out button and manifests."""
    return _page()


@bp.post("/<carrier>/close")
@role_required(Role.MANAGER)
def close(carrier: str) -> tuple[str, int] | BaseResponse:
    """Close out one carrier: its waiting consignments onto a new manifest."""
    if not CloseOutForm().validate_on_submit():
        abort(400, "This form has expired. Reload the page and try again.")
    user = db.session.get(User, current_user.id)
    try:
        manifest = close_out(db.session, carrier, user=user, now=utcnow())
    except CloseOutRefused as exc:
        return _page(error=str(exc), status=409)
    count = manifest.consignment_count
    flash(
        f"Manifest {manifest.number}: {count} consignment{'s' if count != 1 else ''} "
        f"for {manifest.carrier_name} closed out.",
        "info",
    )
    return redirect(url_for("manifests.index"))


@bp.post("/<carrier>/cutoff")
@role_required(Role.MANAGER)
def cutoff(carrier: str) -> tuple[str, int] | BaseResponse:
    """Save (or, when empty, remove) the carrier's daily cut-off."""
    form = CutoffForm()
    if not form.validate_on_submit():
        return _page(error="The cut-off is HH:MM, e.g. 16:30.", status=422)
    try:
        at = change_cutoff(current_user, carrier, form.cutoff.data or "")
    except CutoffInvalid as exc:
        return _page(error=str(exc), status=422)
    name = carrier_name(db.session, carrier)
    if at is None:
        flash(f"Cut-off for {name} removed.")
    else:
        flash(f"Cut-off for {name} set to {Cutoff(at, _zone()).said_on(utcnow())}.")
    return redirect(url_for("manifests.index"))


@bp.get("/<int:manifest_id>.pdf")
@role_required(Role.MANAGER)
def pdf(manifest_id: int) -> Response:
    """The manifest as an A4 PDF to print for the driver."""
    manifest = db.session.get(Manifest, manifest_id)
    if manifest is None:
        abort(404, "No such manifest.")
    return Response(
        manifest_pdf(manifest, tz=_zone()),
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="manifest-{manifest.number}.pdf"'},
    )
