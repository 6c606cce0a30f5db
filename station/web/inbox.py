"""The inbox for managers: folders and their orders, one order's page, CSV import."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from station.cin7.allowance import Cin7Action
from station.db import utcnow
from station.extensions import db
from station.inbox.cin7_work import request_inventory_sync, request_shipment_check, submit_now
from station.inbox.csv_import import MAX_CSV_BYTES
from station.inbox.errors import CsvRejected, NoteInvalid
from station.inbox.events import TITLES, title
from station.inbox.folders import (
    DefaultFolder,
    default_folder,
    folder_orders,
    list_folders,
    make_default_folders,
    move_to_folder,
)
from station.inbox.imports import import_report, import_stalled, start_import
from station.inbox.inventory import inventory, inventory_csv, inventory_page
from station.inbox.masked_urls import masked_url
from station.inbox.notes import note_order, tag_order
from station.inbox.options import LAST_INVENTORY_SYNC_KEY, LAST_SHIPMENT_CHECK_KEY, load_options
from station.inbox.rule_admin import rule_log
from station.inbox.tokens import shop_problem
from station.inbox.webhooks import order_webhooks
from station.jobs import jobs
from station.models import InboxFolder, InboxImport, InboxOrder, Role, User
from station.settings import settings_store
from station.web.access import role_required
from station.web.cin7_actions import spends_cin7
from station.web.fragments import page_or_fragment
from station.web.params import db_ids, db_int

SAMPLE_CSV_NAME = "station-inbox-sample.csv"

bp = Blueprint("inbox", __name__, url_prefix="/inbox")
bp.add_app_template_filter(title, "inbox_event_title")
bp.add_app_template_filter(masked_url, "masked_url")  # webhook addresses on pages


class ImportForm(FlaskForm):
    shop = StringField("Shop", validators=[DataRequired(), Length(max=64)], default="csv")
    csv_file = FileField("CSV file", validators=[FileRequired("Choose a CSV file.")])


@bp.get("")
@role_required(Role.MANAGER)
def index() -> Response:
    """The folders with their counts and one folder's orders (htmx gets just the orders)."""
    folders = list_folders(db.session)
    folder = _folder(request.args.get("folder", type=db_int))
    orders, paging = folder_orders(
        db.session,
        folder,
        page=request.args.get("page", 1, type=db_int),
        per_page=current_app.config["ORDERS_PER_PAGE"],
    )
    last_check = settings_store(db.session).get(LAST_SHIPMENT_CHECK_KEY)
    make_default_folders()  # kept, if this was the first look
    return page_or_fragment(
        "inbox/index.html",
        "partials/inbox/orders.html",
        folders=folders,
        folder=folder,
        orders=orders,
        paging=paging,
        last_check=last_check,
        event_titles=TITLES,
    )


@bp.get("/orders/<int:order_id>")
@role_required(Role.MANAGER)
def show(order_id: int) -> str:
    """One inbox order: what the shop sent, what Station made of it, and its events."""
    order = db.session.get(InboxOrder, order_id) or abort(404, "No such order in the inbox.")
    return render_template(
        "inbox/show.html",
        order=order,
        folders=list_folders(db.session),
        rule_runs=rule_log(db.session, order.id),
        webhooks=order_webhooks(db.session, order.id),
    )


@bp.post("/orders/<int:order_id>/notes")
@role_required(Role.MANAGER)
def note(order_id: int) -> ResponseReturnValue:
    """Add a note to one order."""
    text = request.form.get("text", "")
    return _change(
        order_id, lambda o: note_order(current_person(), o, text, at=utcnow(), jobs=jobs())
    )


@bp.post("/orders/<int:order_id>/tags")
@role_required(Role.MANAGER)
def tag(order_id: int) -> ResponseReturnValue:
    """Tag one order."""
    word = request.form.get("tag", "")
    return _change(
        order_id, lambda o: tag_order(current_person(), o, word, at=utcnow(), jobs=jobs())
    )


@bp.post("/submit")
@role_required(Role.MANAGER)
@spends_cin7(Cin7Action.SEND)
def submit() -> ResponseReturnValue:
    """Queue the ticked orders (or the one on its page) to be submitted to Cin7 now."""
    ids = submit_now(current_person(), ticked_order_ids(), at=utcnow(), jobs=jobs())
    if ids:
        flash(
            f"{len(ids)} order(s) scheduled to Cin7. Each order's events say how it went.", "info"
        )
    else:
        flash("No order to submit: tick orders that are not in Cin7 yet.", "warning")
    return redirect(request.referrer or url_for("inbox.index"))


@bp.post("/move")
@role_required(Role.MANAGER)
def move() -> ResponseReturnValue:
    """Move the ticked orders (or the one on its page) to another folder."""
    folder = db.session.get(InboxFolder, request.form.get("folder_id", type=db_int) or 0)
    if folder is None:
        abort(400, "Choose the folder to move the orders to.")
    moved = move_to_folder(current_person(), ticked_order_ids(), folder, at=utcnow(), jobs=jobs())
    flash(f"{moved} order(s) moved to {folder.name}.", "info")
    return redirect(request.referrer or url_for("inbox.index", folder=folder.id))


@bp.post("/shipments/check")
@role_required(Role.MANAGER)
@spends_cin7(Cin7Action.SYNC)
def check_shipments_now() -> ResponseReturnValue:
    """Ask Cin7 now which submitted orders shipped or were canceled.

    Asked from one order's page, it goes back there, where the order's folder shows
    what Cin7 said; from the list, back to the list with the check's counts.
    """
    request_shipment_check(current_person(), jobs=jobs())
    flash(
        "Checking shipments with Cin7 now; shipped and canceled orders move to their folders.",
        "info",
    )
    asked_from = ticked_order_ids()
    if len(asked_from) == 1 and db.session.get(InboxOrder, asked_from[0]) is not None:
        return redirect(url_for("inbox.show", order_id=asked_from[0]))
    return redirect(url_for("inbox.index"))


@bp.get("/inventory")
@role_required(Role.MANAGER)
def inventory_levels() -> Response:
    """What shops may sell per SKU and branch, from the last inventory sync."""
    store = settings_store(db.session)
    search = request.args.get("sku", "").strip()[:128]
    levels, paging = inventory_page(
        db.session,
        load_options(store),
        search=search,
        page=request.args.get("page", 1, type=db_int),
        per_page=current_app.config["ORDERS_PER_PAGE"],
    )
    return page_or_fragment(
        "inbox/inventory.html",
        "partials/inbox/inventory.html",
        levels=levels,
        paging=paging,
        search=search,
        options=load_options(store),
        last_sync=store.get(LAST_INVENTORY_SYNC_KEY),
    )


@bp.get("/inventory.csv")
@role_required(Role.MANAGER)
def inventory_download() -> Response:
    """Every level as CSV."""
    options = load_options(settings_store(db.session))
    return Response(
        inventory_csv(inventory(db.session, options)),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="inventory.csv"'},
    )


@bp.post("/inventory/sync")
@role_required(Role.MANAGER)
@spends_cin7(Cin7Action.SYNC)
def sync_inventory_now() -> ResponseReturnValue:
    """Read Cin7's stock now."""
    request_inventory_sync(current_person(), jobs=jobs())
    flash("Reading stock from Cin7 now; the time of the sync shows when it is done.", "info")
    return redirect(url_for("inbox.inventory_levels"))


@bp.route("/import", methods=["GET", "POST"])
@role_required(Role.MANAGER)
@spends_cin7(Cin7Action.SEND, methods={"POST"})
def import_orders() -> ResponseReturnValue:
    """Take a CSV file of orders and import it as a job; its page shows progress, then the report."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form, status=422 if form.is_submitted() else 200)
    shop = (form.shop.data or "").strip()
    problem = shop_problem(shop)
    if problem:
        return _import_page(form, error=problem, status=422)
    upload = form.csv_file.data
    try:
        queued = start_import(
            current_person(),
            upload.stream.read(MAX_CSV_BYTES + 1),
            shop=shop,
            filename=upload.filename or "",
            now=utcnow(),
            jobs=jobs(),
        )
    except CsvRejected as exc:
        return _import_page(form, error=str(exc), status=422)
    return redirect(url_for("inbox.import_status", import_id=queued.id), code=303)


@bp.get("/import/sample.csv")
@role_required(Role.MANAGER)
def import_sample() -> Response:
    """The sample CSV as a download named for Station, whatever the browser makes of a link.

    A ``download`` attribute names the file only for same-origin links in some browsers;
    the header names it everywhere (and for curl).
    """
    return send_from_directory(
        current_app.static_folder or "static",
        "samples/inbox-orders.csv",
        mimetype="text/csv",
        as_attachment=True,
        download_name=SAMPLE_CSV_NAME,
    )


@bp.get("/import/<int:import_id>")
@role_required(Role.MANAGER)
def import_status(import_id: int) -> tuple[str, int]:
    """An import's progress while it runs, then what it did; with the form for the next file."""
    return _import_page(ImportForm(), status=200, **_import_context(import_id))


@bp.get("/import/<int:import_id>/progress")
@role_required(Role.MANAGER)
def import_progress(import_id: int) -> str:
    """The progress fragment (it polls itself until the import has ended)."""
    return render_template("partials/inbox/import_progress.html", **_import_context(import_id))


def _import_context(import_id: int) -> dict[str, object]:
    queued = db.session.get(InboxImport, import_id) or abort(404, "No such import.")
    return {
        "queued": queued,
        "report": import_report(queued),
        "stalled": import_stalled(queued, now=utcnow()),
    }


def _import_page(form: ImportForm, *, status: int, **context: object) -> tuple[str, int]:
    return render_template("inbox/import.html", form=form, **context), status


def _change(order_id: int, change: Callable[[InboxOrder], object]) -> ResponseReturnValue:
    """Apply a note or tag to the order and go back to its page (saying why if refused)."""
    order = db.session.get(InboxOrder, order_id) or abort(404, "No such order in the inbox.")
    try:
        change(order)
    except NoteInvalid as exc:
        flash(str(exc), "error")
    return redirect(url_for("inbox.show", order_id=order_id))


def current_person() -> User:
    """The signed-in person, as services take them."""
    return current_user._get_current_object()  # type: ignore[attr-defined, no-any-return]


def ticked_order_ids() -> list[int]:
    """The ticked orders' ids (or the one order's, on its page)."""
    return db_ids(request.form.getlist("order_id"))


def _folder(folder_id: int | None) -> InboxFolder:
    folder = db.session.get(InboxFolder, folder_id) if folder_id else None
    return folder or default_folder(db.session, DefaultFolder.NEW)
