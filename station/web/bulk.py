"""Bulk dispatch (managers): ship the selected orders with one preset and service."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from station.dispatch.bench import WeightInvalid, parse_weight
from station.dispatch.bulk import BulkRefused, start_bulk
from station.extensions import db
from station.ids import parse_id
from station.jobs import jobs
from station.models import BulkDispatch, PackagePreset, Printer, Role
from station.web.access import role_required
from station.web.params import db_ids, db_int

bp = Blueprint("bulk", __name__, url_prefix="/bulk")


@bp.post("")
@role_required(Role.MANAGER)
def create() -> ResponseReturnValue:
    """Start a run for the orders ticked on the order list."""
    form = request.form
    printer = db.session.get(Printer, form.get("printer_id", type=db_int) or 0)
    try:
        if printer is None:
            raise BulkRefused("Choose the printer the labels come out on.")
        run = start_bulk(
            current_user._get_current_object(),  # type: ignore[attr-defined]
            db_ids(form.getlist("order_id")),
            printer=printer,
            service=form.get("service", ""),
            weight_grams=parse_weight(form.get("weight", "")),
            preset=db.session.get(PackagePreset, form.get("preset_id", type=db_int) or 0),
            cost_centre_id=form.get("cost_centre_id", type=db_int),
            parcel_count=_parcel_count(form.get("parcels", "")),
            confirmed_stages=[s[:64] for s in form.getlist("confirm_stage")[:20]],
            dispatch=jobs().bulk_dispatch,
        )
    except (BulkRefused, WeightInvalid) as exc:
        flash(f"Bulk dispatch not started: {exc}", "error")
        return redirect(url_for("orders.index"))
    return redirect(url_for("bulk.show", run_id=run.id))


@bp.get("/<int:run_id>")
@role_required(Role.MANAGER)
def show(run_id: int) -> ResponseReturnValue:
    """The run with its live progress."""
    run = db.session.get(BulkDispatch, run_id) or abort(404, "No such bulk dispatch.")
    return render_template("bulk/show.html", run=run)


@bp.get("/<int:run_id>/progress")
@role_required(Role.MANAGER)
def progress(run_id: int) -> ResponseReturnValue:
    """The progress fragment (it polls itself until the run has finished)."""
    run = db.session.get(BulkDispatch, run_id) or abort(404, "No such bulk dispatch.")
    return render_template("partials/bulk/progress.html", run=run)


def _parcel_count(text: str) -> int:
    """Parcels per order as typed (blank: 1); a word that is not a count is refused."""
    if not text.strip():
        return 1
    count = parse_id(text)
    if count is None:
        raise BulkRefused(f"Type how many parcels each order goes out in, not {text.strip()!r}.")
    return count
