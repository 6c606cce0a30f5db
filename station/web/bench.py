"""The dispatch bench: scan an order, weigh, Enter; everything works from the keyboard."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from flask import Blueprint, Response, abort, make_response, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from station.carriers.base import Parcel
from station.carriers.errors import CarrierError, CarrierUnavailable
from station.db import utcnow
from station.dispatch.bench import (
    WeightInvalid,
    bench_printer,
    count_scanned_item,
    item_check,
    new_ship_key,
)
from station.dispatch.catalog import bench_catalog
from station.dispatch.holds import item_counts, put_down
from station.dispatch.opening import AlreadyShipped, NoSuchOrder, Opened, open_for_packing
from station.dispatch.options import load_options, load_sender
from station.dispatch.outage import QueueRefused, queue_for_carrier
from station.dispatch.parcels import (
    MAX_PARCELS,
    ParcelRow,
    ParcelsInvalid,
    build_parcels,
    parcel_rows,
)
from station.dispatch.quotes import quote_order
from station.dispatch.reprint import reprint_as
from station.dispatch.rights import NotYours
from station.dispatch.ship import DispatchRefused, ShipRequest, ship_order
from station.dispatch.verify import (
    ItemCheck,
    ItemLine,
    ItemScanRefused,
    ItemsMissing,
    require_complete,
)
from station.dispatch.void import void_as
from station.dispatch.weights import check_service_limit
from station.extensions import db
from station.ids import parse_id
from station.jobs import jobs
from station.labels.layout import format_weight
from station.models import Consignment, Printer, Role, SalesOrder
from station.printing.jobs import as_printed
from station.printing.queue import ReprintRefused
from station.settings import settings_store
from station.web import itemcheck
from station.web.access import role_required
from station.web.localtime import warehouse_zone
from station.web.params import db_int

log = logging.getLogger(__name__)

bp = Blueprint("bench", __name__, url_prefix="/bench")
bp.add_app_template_filter(format_weight, "weight")  # grams -> "1.25 kg"

PRINTER_KEY = "bench_printer_id"


@bp.get("")
@role_required(Role.PACKER)
def index() -> ResponseReturnValue:
    """The bench page: printer, scan box, the open order."""
    printers = bench_catalog(db.session).printers  # the rows _printer() picks from
    return render_template(
        "bench/index.html",
        printers=printers,
        printer=_printer(),
        verifying_items=itemcheck.verifying(),
        # "Open at the bench" (?open=), or a scan the browser sent as a plain GET because
        # it was made before the page's script was ready (?scan=): either opens as it loads.
        opening=(request.args.get("open") or request.args.get("scan") or "").strip()[:128],
    )


@bp.post("/printer")
@role_required(Role.PACKER)
def choose_printer() -> ResponseReturnValue:
    """Remember this bench's printer (per browser session)."""
    printer = db.session.get(Printer, request.form.get("printer_id", type=db_int) or 0)
    if printer is None:
        abort(422, "Choose one of the printers listed.")
    session[PRINTER_KEY] = printer.id
    return render_template("partials/bench/printer.html", printer=printer)


@bp.post("/scan")
@role_required(Role.PACKER)
def scan() -> ResponseReturnValue:
    """Open the scanned order, show the consignment it already has, or say clearly why not."""
    opened = open_for_packing(
        current_user._get_current_object(),  # type: ignore[attr-defined]
        (request.form.get("scan") or "").strip()[:128],
        printer_id=_printer_id(),
        verify_items=itemcheck.verifying(),
        now=utcnow(),
    )
    if isinstance(opened, NoSuchOrder):
        return _error(opened.describe())
    if isinstance(opened, AlreadyShipped):
        page = render_template(
            "partials/bench/already_shipped.html", shipped=opened, tz=warehouse_zone()
        )
        return _with_event(make_response(page), "bench:shipped-before")
    return _with_event(make_response(_order_page(opened)), "bench:error" if opened.problems else "")


@bp.post("/ship")
@role_required(Role.PACKER)
def ship() -> ResponseReturnValue:
    """Enter: book, print and record the Cin7 write-backs; answer with the result panel."""
    printer = _printer()
    if printer is None:
        return _error("Choose this bench's printer first.")
    form = request.form
    order_id = form.get("order_id", type=db_int) or 0
    check = _item_check_of(order_id)
    unverified = _items_not_scanned(order_id, check)
    if unverified is not None:
        return unverified
    carrier_code, _, service_code = (form.get("service") or "").partition(":")
    try:
        parcels = _parcels(form, keyed=form.get("weight_keyed", ""), check=check)
        check_service_limit(
            db.session,
            parcels,
            carrier_code=carrier_code or "ownlabel",
            service_code=service_code,
        )
        store = settings_store(db.session)
        shipped = ship_order(
            db.session,
            order_id,
            ShipRequest(
                key=(form.get("key") or "")[:64] or new_ship_key(order_id),
                parcels=parcels,
                service_code=service_code,
                carrier_code=carrier_code or "ownlabel",
                cost_centre_id=form.get("cost_centre_id", type=db_int),
                scanned_at=_opened(form.get("opened", "")),
                manual_ticket=(form.get("manual_ticket") or "").strip()[:48] or None,
                confirmed_stages=tuple(s[:64] for s in form.getlist("confirm_stage")[:4]),
            ),
            printer=printer,
            user=current_user._get_current_object(),  # type: ignore[attr-defined]
            options=load_options(store),
            sender=load_sender(store),
            now=utcnow(),
            print_labels=jobs().print_now,
            follow_ups=(jobs().deliver_soon,),
        )
    except CarrierUnavailable as exc:
        log.warning("carrier unreachable for order %s: %s", order_id, exc)
        fields = [(k, v) for k, v in form.items(multi=True) if k != "manual_ticket"]
        page = render_template("partials/bench/carrier_down.html", message=str(exc), fields=fields)
        return _with_event(make_response(page, 422), "bench:error")
    except WeightInvalid as exc:
        log.info("bench refused the weight for order %s: %s", order_id, exc)
        return _fix(exc.field, str(exc))
    except CarrierError as exc:  # e.g. the service does not go there: choose another
        log.info("carrier refused order %s: %s", order_id, exc)
        return _fix("service", str(exc))
    except DispatchRefused as exc:
        log.info("bench refused order %s: %s", order_id, exc)
        return _error(str(exc))
    page = render_template(
        "partials/bench/shipped.html", shipped=shipped, jobs=as_printed(db.session, shipped.jobs)
    )
    return _with_event(make_response(page), "bench:shipped")


@bp.post("/queue")
@role_required(Role.PACKER)
def queue() -> ResponseReturnValue:
    """The carrier is down: book this consignment (and print here) once it answers."""
    printer = _printer()
    if printer is None:
        return _error("Choose this bench's printer first.")
    try:
        row = queue_for_carrier(
            current_user._get_current_object(),  # type: ignore[attr-defined]
            (request.form.get("key") or "")[:64],
            printer=printer,
            now=utcnow(),
        )
    except QueueRefused as exc:
        return _error(str(exc))
    return render_template("partials/bench/queued.html", consignment=row, printer=printer)


@bp.post("/orders/<int:order_id>/release")
@role_required(Role.PACKER)
def release(order_id: int) -> ResponseReturnValue:
    """Put the order down so another bench can ship it."""
    put_down(current_user._get_current_object(), order_id)  # type: ignore[attr-defined]
    return render_template("partials/bench/released.html")


@bp.post("/consignments/<int:consignment_id>/void")
@role_required(Role.PACKER)
def void(consignment_id: int) -> ResponseReturnValue:
    """Void a consignment from the bench (if it is theirs to void) and say what could not be undone."""
    consignment = db.session.get(Consignment, consignment_id) or abort(404, "No such consignment.")
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    try:
        voided = void_as(db.session, consignment, user, now=utcnow())
    except NotYours as exc:
        log.info("bench refused to void consignment %s: %s", consignment_id, exc)
        return _error(str(exc), status=403)
    except CarrierError as exc:
        return _error(str(exc))
    return render_template("partials/bench/voided.html", voided=voided)


@bp.post("/verify")
@role_required(Role.PACKER)
def verify_items() -> ResponseReturnValue:
    """Turn item verification on or off for the orders this bench opens next."""
    on = request.form.get("verify") == "on"
    itemcheck.set_verifying(on)
    return render_template("partials/bench/verify_note.html", on=on)


@bp.post("/items")
@role_required(Role.PACKER)
def count_item() -> ResponseReturnValue:
    """Count one scanned item against the open order's lines, or say loudly why not."""
    order = db.session.get(SalesOrder, request.form.get("order_id", type=db_int) or 0)
    check = _item_check_of(order.id) if order else None
    if order is None or check is None:
        response = _error("That order is no longer open here: scan it again.")
        response.headers.update({"HX-Retarget": "#bench-order", "HX-Reswap": "innerHTML"})
        return response
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    try:
        counted = count_scanned_item(user, order.id, check, (request.form.get("scan") or "")[:128])
    except ItemScanRefused as exc:
        log.info("bench item scan refused on %s: %s", order.reference, exc)
        return _items(order, check, message=str(exc), status=422, event="bench:error")
    response = _items(order, counted.check, counted=counted.line, event="bench:item")
    if counted.check.complete:
        response.headers["HX-Trigger-After-Settle"] = "bench:items-complete"
    return response


@bp.post("/consignments/<int:consignment_id>/reprint")
@role_required(Role.PACKER)
def reprint(consignment_id: int) -> ResponseReturnValue:
    """Print a consignment's labels again on this bench's printer (if it is theirs to reprint)."""
    consignment = db.session.get(Consignment, consignment_id) or abort(404, "No such consignment.")
    printer = _printer()
    if printer is None:
        return _error("Choose this bench's printer first.")
    user = current_user._get_current_object()  # type: ignore[attr-defined]
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
        log.info("bench refused to reprint consignment %s: %s", consignment_id, exc)
        return _note(consignment_id, str(exc), status=403)
    except ReprintRefused as exc:
        return _note(consignment_id, str(exc))
    page = render_template(
        "partials/bench/reprinted.html", consignment=consignment, jobs=queued, printer=printer
    )
    return make_response(page)


@bp.get("/rates")
@role_required(Role.PACKER)
def rates() -> ResponseReturnValue:
    """Every carrier's price for the open order's parcels, as typed so far (all of them)."""
    order = db.session.get(SalesOrder, request.args.get("order_id", type=db_int) or 0)
    if order is None:
        abort(404, "No such order.")
    rows = _rows(request.args)
    if not any(row.weight.strip() for row in rows):
        return render_template("partials/bench/rates.html", note="Type the weight to see prices.")
    try:
        parcels = build_parcels(db.session, rows, reference=order.reference)
    except ParcelsInvalid as exc:
        return render_template("partials/bench/rates.html", note=str(exc), refused=exc)
    quotes = quote_order(db.session, order, parcels, sender=load_sender(settings_store(db.session)))
    return render_template(
        "partials/bench/rates.html",
        quotes=quotes,
        parcels=parcels,
        chosen=request.args.get("service", ""),
    )


def _item_check_of(order_id: int) -> ItemCheck | None:
    """The item check of the order open at this bench, or None when its items are not checked."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    counts = item_counts(db.session, order_id, user)
    order = db.session.get(SalesOrder, order_id) if counts is not None else None
    if order is None or counts is None:
        return None
    return item_check(db.session, order, counts)


def _items_not_scanned(order_id: int, check: ItemCheck | None) -> Response | None:
    """The refusal to ship an order whose items are being checked and are not all scanned."""
    order = db.session.get(SalesOrder, order_id) if check is not None else None
    if order is None or check is None:
        return None
    try:
        require_complete(check)
    except ItemsMissing as exc:
        log.info("bench refused order %s: %s", order.reference, exc)
        response = _items(order, check, message=str(exc), status=422, event="bench:error")
        response.headers.update({"HX-Retarget": "#bench-items", "HX-Reswap": "outerHTML"})
        return response
    return None


def _items(
    order: SalesOrder,
    check: ItemCheck,
    *,
    event: str,
    message: str = "",
    counted: ItemLine | None = None,
    status: int = 200,
) -> Response:
    """The item check panel (and the scan box, ready for the next item)."""
    page = render_template(
        "partials/bench/items.html", order=order, check=check, message=message, counted=counted
    )
    return _with_event(make_response(page, status), event)


def _rows(values: MultiDict[str, str]) -> list[ParcelRow]:
    """The parcel rows typed at the bench (each field repeated once per row, in order)."""
    return parcel_rows(
        values.getlist("weight"),
        [parse_id(text) for text in values.getlist("preset_id")],  # "" is no preset
        values.getlist("dimensions"),
    )


def _parcels(
    values: MultiDict[str, str], *, keyed: str = "", check: ItemCheck | None = None
) -> tuple[Parcel, ...]:
    """The consignment's parcels typed at the bench; raises ``ParcelsInvalid``."""
    return build_parcels(db.session, _rows(values), keyed=keyed, check=check)


def _fix(field: str, message: str) -> Response:
    """A mistake in the open order's form: the reason beside ``field``, the cursor in it.

    The order stays open; nothing needs scanning again.
    """
    page = render_template("partials/bench/field_error.html", field=field, message=message)
    response = _with_event(make_response(page, 422), "bench:error")
    response.headers.update(
        {
            "HX-Retarget": f"#{field}-error",
            "HX-Reswap": "outerHTML",
            "HX-Trigger-After-Settle": json.dumps({"bench:fix": field}),
        }
    )
    return response


def _note(consignment_id: int, message: str, *, status: int = 422) -> Response:
    """A refusal shown beside a consignment's buttons at the bench."""
    page = render_template(
        "partials/bench/consignment_note.html", consignment_id=consignment_id, message=message
    )
    return _with_event(make_response(page, status), "bench:error")


def _with_event(response: Response, event: str) -> Response:
    """``response`` telling the page what happened (bench.js plays the sound); "" for none."""
    if event:
        response.headers["HX-Trigger"] = event
    return response


def _opened(text: str) -> datetime | None:
    """When the form says the order was opened (ignored unless a plausible UTC time)."""
    try:
        opened = datetime.fromisoformat(text)
    except ValueError:
        return None
    now = utcnow()
    if opened.tzinfo is None or not now - timedelta(hours=12) <= opened <= now:
        return None
    return opened


def _order_page(opened: Opened) -> str:
    """The opened order: its weight form, or the reasons it cannot ship."""
    order = opened.order
    return render_template(
        "partials/bench/order.html",
        order=order,
        problems=opened.problems,
        confirm=opened.confirm,
        consignments=opened.earlier,
        key=new_ship_key(order.id),
        opened=utcnow(),
        choices=opened.choices,
        check=opened.check,
        script_notice=opened.script_notice,
        max_parcels=MAX_PARCELS,
    )


def _printer_id() -> int | None:
    """The printer chosen at this bench (this browser), else the person's default."""
    chosen: int | None = session.get(PRINTER_KEY, current_user.default_printer_id)
    return chosen


def _printer() -> Printer | None:
    return bench_printer(db.session, _printer_id())


def _consignments(order_id: int) -> list[Consignment]:
    return list(
        db.session.scalars(
            select(Consignment).where(Consignment.order_id == order_id).order_by(Consignment.id)
        )
    )


def _error(message: str, *, status: int = 422) -> Response:
    page = render_template("partials/bench/error.html", message=message)
    return _with_event(make_response(page, status), "bench:error")
