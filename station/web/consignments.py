"""The consignment list: everyone may look; reprint and void as ``station.dispatch.rights`` allows.

Managers reprint and void any consignment; a packer only their own last one, right away.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from station.carriers.errors import CarrierError
from station.db import utcnow
from station.dispatch.reprint import reprint_as
from station.dispatch.rights import NotYours
from station.dispatch.void import Voided, void_as
from station.extensions import db
from station.jobs import jobs
from station.models import Consignment, ConsignmentState, Printer, Role
from station.printing.queue import ReprintRefused
from station.printing.setup import active_printers
from station.reports.period import ReportRequestInvalid, one_day
from station.shipping.carriers import carrier_for
from station.shipping.consignments import (
    ConsignmentFilter,
    consignment_rows,
    known_carriers,
    list_consignments,
)
from station.shipping.returns import ReturnRefused
from station.shipping.returns import return_label as book_return_label
from station.web.access import role_required
from station.web.fragments import is_fragment_request, page_or_fragment
from station.web.localtime import warehouse_zone
from station.web.params import db_int

log = logging.getLogger(__name__)

bp = Blueprint("consignments", __name__, url_prefix="/consignments")

FILTER_KEYS = ("q", "status", "carrier", "day")


@bp.get("")
@role_required(Role.PACKER)
def index() -> ResponseReturnValue:
    """Consignments, newest first, narrowed by status, carrier, day, ticket or order."""
    error = None
    try:
        filters = _filters(with_day=True)
    except ReportRequestInvalid as exc:
        error, filters = str(exc), _filters(with_day=False)
    listing = list_consignments(
        db.session,
        filters,
        page=request.args.get("page", 1, type=db_int),
        per_page=current_app.config["ORDERS_PER_PAGE"],
    )
    context = _context(listing=listing, error=error)
    if error:
        return render_template("consignments/index.html", **context), 422
    return page_or_fragment(
        "consignments/index.html", "partials/consignments/results.html", **context
    )


@bp.post("/<int:consignment_id>/reprint")
@role_required(Role.PACKER)
def reprint(consignment_id: int) -> ResponseReturnValue:
    """Print the consignment's labels again, on their printer or on the one chosen."""
    consignment = _consignment(consignment_id)
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    chosen = request.form.get("printer_id", type=db_int)
    printer = db.session.get(Printer, chosen) if chosen else None
    if chosen and (printer is None or not printer.active):
        return _answer(consignment, error="Choose one of the printers listed.")
    try:
        queued = reprint_as(
            db.session,
            consignment,
            user,
            printer=printer,
            now=utcnow(),
            print_queue=jobs().print_queue,
        )
    except NotYours as exc:
        log.info("refused to reprint consignment %s: %s", consignment_id, exc)
        return _answer(consignment, error=str(exc), status=403)
    except ReprintRefused as exc:
        return _answer(consignment, error=str(exc))
    printers = {job.printer_id: job.printer.name for job in queued}
    log.info("%s reprinted consignment %s on %s", current_user.username, consignment.id, printers)
    return _answer(
        consignment,
        message=f"{len(queued)} label(s) of {consignment.reference} sent to "
        f"{', '.join(printers.values())} again.",
    )


@bp.post("/<int:consignment_id>/void")
@role_required(Role.PACKER)
def void(consignment_id: int) -> ResponseReturnValue:
    """Void the consignment with its carrier, as the bench does, and say what is left to do."""
    consignment = _consignment(consignment_id)
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    try:
        voided = void_as(db.session, consignment, user, now=utcnow())
    except NotYours as exc:
        log.info("refused to void consignment %s: %s", consignment_id, exc)
        return _answer(consignment, error=str(exc), status=403)
    except CarrierError as exc:
        return _answer(consignment, error=str(exc))
    log.info("%s voided consignment %s from the list", current_user.username, consignment.id)
    return _answer(consignment, voided=voided)


def _filters(*, with_day: bool) -> ConsignmentFilter:
    args = request.args
    status = args.get("status", "")
    carrier = args.get("carrier", "").strip()[:32]
    created_from = created_before = None
    if with_day and args.get("day", "").strip():
        day = one_day(args["day"], tz=warehouse_zone())
        created_from, created_before = day.start, day.end
    return ConsignmentFilter(
        state=ConsignmentState(status) if status in _states() else None,
        carrier=carrier or None,
        created_from=created_from,
        created_before=created_before,
        search=args.get("q", ""),
    )


def _context(**extra: Any) -> dict[str, Any]:
    return {
        "filters": {key: request.args[key] for key in FILTER_KEYS if request.args.get(key)},
        "states": _states(),
        "carrier_names": dict(known_carriers(db.session)),
        "printers": active_printers(db.session),
        "tz": warehouse_zone(),
        **extra,
    }


def _states() -> list[str]:
    return [state.value for state in ConsignmentState]


@bp.post("/<int:consignment_id>/return")
@role_required(Role.MANAGER)
def return_label(consignment_id: int) -> ResponseReturnValue:
    """Book the consignment's return label and print it; back to its order's page."""
    consignment = _consignment(consignment_id)
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    printer = db.session.get(Printer, request.form.get("printer_id", type=db_int) or 0)
    printer = printer or user.default_printer
    back = (
        url_for("orders.show", order_id=consignment.order_id)
        if consignment.order_id
        else url_for("consignments.index")
    )
    try:
        row = book_return_label(
            user,
            consignment,
            carrier=carrier_for(db.session, consignment.carrier),
            printer=printer,
            print_queue=lambda printer_id: jobs().print_queue(printer_id),
        )
    except (ReturnRefused, CarrierError) as exc:
        flash(str(exc), "error")
        return redirect(back)
    where = f"; it prints on {printer.name}" if printer else "; choose a printer to print it"
    flash(f"Return label {', '.join(row.tickets)} booked for {row.reference}{where}.", "info")
    return redirect(back)


def _consignment(consignment_id: int) -> Consignment:
    return db.session.get(Consignment, consignment_id) or abort(404, "No such consignment.")


def _answer(
    consignment: Consignment,
    *,
    message: str | None = None,
    error: str | None = None,
    voided: Voided | None = None,
    status: int | None = None,
) -> ResponseReturnValue:
    """The changed row and a message for htmx; a redirect with the message otherwise."""
    status = status or (422 if error else 200)
    if status == 403 and not is_fragment_request():
        abort(403, error)  # a refusal of rights is not a message to carry back to the list
    if not is_fragment_request():
        summary = error or message or _void_sentence(voided)
        flash(summary, "error" if error else "info")
        return redirect(url_for("consignments.index"))
    [row] = consignment_rows(db.session, [consignment])
    context = _context(row=row, message=message, error=error, voided=voided)
    return render_template("partials/consignments/answer.html", **context), status


def _void_sentence(voided: Voided | None) -> str:
    if voided is None:
        return ""
    c = voided.consignment
    notes = " ".join(f"Put right in Cin7: {note}." for note in voided.not_undone)
    return (
        f"Consignment {', '.join(c.tickets)} voided: {voided.labels_withdrawn} unprinted "
        f"label(s) withdrawn, {voided.writebacks_cancelled} Cin7 update(s) cancelled. {notes}"
    ).strip()
