"""Bulk dispatch (managers): ship the selected orders with one preset and service.

The orders are the ones ticked on the order list or, with "Select all that match" ticked,
every order matching the list's filters (the form carries them as ``match-<arg>``).
A finished run's page lists its tickets and refusals and prints all its labels again.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from station.db import utcnow
from station.dispatch.bench import WeightInvalid, parse_weight
from station.dispatch.bulk import MAX_ORDERS, BulkRefused, start_bulk, start_bulk_matching
from station.dispatch.bulk_report import reprint_run, run_report
from station.extensions import db
from station.ids import parse_id
from station.jobs import jobs
from station.models import BulkDispatch, PackagePreset, Printer, Role
from station.orders import FILTER_ARGS, filters_from_args
from station.web.access import role_required
from station.web.params import db_ids, db_int

bp = Blueprint("bulk", __name__, url_prefix="/bulk")


@bp.post("")
@role_required(Role.MANAGER)
def create() -> ResponseReturnValue:
    """Start a run for the orders ticked on the order list, or for all that match."""
    form = request.form
    actor = current_user._get_current_object()  # type: ignore[attr-defined]
    match = {k: form[f"match-{k}"] for k in FILTER_ARGS if form.get(f"match-{k}")}
    expected = form.get("all_matching", type=db_int)
    printer = db.session.get(Printer, form.get("printer_id", type=db_int) or 0)
    try:
        if printer is None:
            raise BulkRefused(
                "Choose the printer the labels come out on (when none is listed, add a "
                "printer first)."
            )
        run: dict[str, Any] = dict(
            printer=printer,
            service=form.get("service", ""),
            weight_grams=parse_weight(form.get("weight", "")),
            preset=db.session.get(PackagePreset, form.get("preset_id", type=db_int) or 0),
            cost_centre_id=form.get("cost_centre_id", type=db_int),
            parcel_count=_parcel_count(form.get("parcels", "")),
            confirmed_stages=[s[:64] for s in form.getlist("confirm_stage")[:20]],
            dispatch=jobs().bulk_dispatch,
        )
        if expected is None:
            started = start_bulk(actor, db_ids(form.getlist("order_id")), **run)
        else:
            matched = start_bulk_matching(
                actor, filters_from_args(match)[0], expected=expected, **run
            )
            started = matched.run
            if matched.more:
                flash(
                    f"More orders match than a run takes: this run has the first "
                    f"{MAX_ORDERS:,}; dispatch the rest in another run.",
                    "warning",
                )
    except (BulkRefused, WeightInvalid) as exc:
        flash(f"Bulk dispatch not started: {exc}", "error")
        return redirect(url_for("orders.index", **(match if expected is not None else {})))
    return redirect(url_for("bulk.show", run_id=started.id))


@bp.get("/<int:run_id>")
@role_required(Role.MANAGER)
def show(run_id: int) -> ResponseReturnValue:
    """The run with its live progress; once finished, its tickets and refusals."""
    report = run_report(db.session, run_id) or abort(404, "No such bulk dispatch.")
    return render_template("bulk/show.html", run=report.run, report=report)


@bp.get("/<int:run_id>/progress")
@role_required(Role.MANAGER)
def progress(run_id: int) -> ResponseReturnValue:
    """The progress fragment (it polls itself until the run has finished)."""
    report = run_report(db.session, run_id) or abort(404, "No such bulk dispatch.")
    return render_template("partials/bulk/progress.html", run=report.run, report=report)


@bp.post("/<int:run_id>/reprint")
@role_required(Role.MANAGER)
def reprint(run_id: int) -> ResponseReturnValue:
    """Print every label of the finished run again on the printer chosen."""
    run = db.session.get(BulkDispatch, run_id) or abort(404, "No such bulk dispatch.")
    printer = db.session.get(Printer, request.form.get("printer_id", type=db_int) or 0)
    try:
        done = reprint_run(
            current_user._get_current_object(),  # type: ignore[attr-defined]
            run,
            printer=printer,
            now=utcnow(),
            print_queue=jobs().print_queue,
        )
    except BulkRefused as exc:
        flash(f"Labels not printed again: {exc}", "error")
        return redirect(url_for("bulk.show", run_id=run_id))
    flash(
        f"{len(done.queued)} label(s) of {done.consignments} consignment(s) sent to "
        f"{done.printer.name} again.",
        "info",
    )
    for reference, why in done.skipped:
        flash(f"{reference} not printed again: {why}", "warning")
    return redirect(url_for("bulk.show", run_id=run_id))


def _parcel_count(text: str) -> int:
    """Parcels per order as typed (blank: 1); a word that is not a count is refused."""
    if not text.strip():
        return 1
    count = parse_id(text)
    if count is None:
        raise BulkRefused(f"Type how many parcels each order goes out in, not {text.strip()!r}.")
    return count
