"""The dispatch bench: scan an order, weigh, Enter; everything works from the keyboard."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import Blueprint, abort, render_template, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import select

from station import audit
from station.carriers.base import Parcel
from station.carriers.errors import CarrierError, CarrierUnavailable
from station.carriers.markup import parcel_from_preset
from station.db import utcnow
from station.dispatch.bench import WeightInvalid, find_order, new_ship_key, parse_weight
from station.dispatch.checks import shipping_problems
from station.dispatch.choices import ship_choices
from station.dispatch.holds import release_hold, take_hold
from station.dispatch.options import load_options, load_sender
from station.dispatch.outage import QueueRefused, queue_for_carrier
from station.dispatch.ship import DispatchRefused, ShipRequest, ship_order
from station.dispatch.void import void_consignment
from station.extensions import db
from station.jobs import jobs
from station.models import Consignment, PackagePreset, Printer, Product, Role
from station.settings import settings_store
from station.shipping.costs import preset_of
from station.web.access import role_required

log = logging.getLogger(__name__)

bp = Blueprint("bench", __name__, url_prefix="/bench")

PRINTER_KEY = "bench_printer_id"


@bp.get("")
@role_required(Role.PACKER)
def index() -> ResponseReturnValue:
    """The bench page: printer, scan box, the open order."""
    printers = db.session.scalars(
        select(Printer).where(Printer.active).order_by(Printer.name)
    ).all()
    return render_template("bench/index.html", printers=printers, printer=_printer())


@bp.post("/printer")
@role_required(Role.PACKER)
def choose_printer() -> ResponseReturnValue:
    """Remember this bench's printer (per browser session)."""
    printer = db.session.get(Printer, request.form.get("printer_id", type=int) or 0)
    if printer is None:
        abort(422, "Choose one of the printers listed.")
    session[PRINTER_KEY] = printer.id
    return render_template("partials/bench/printer.html", printer=printer)


@bp.post("/scan")
@role_required(Role.PACKER)
def scan() -> ResponseReturnValue:
    """Open the scanned order, or say clearly why not."""
    scanned = (request.form.get("scan") or "").strip()[:128]
    order = find_order(db.session, scanned)
    if order is None:
        log.info("bench scan matched no order: %r", scanned)
        return _error(
            f"No order matches {scanned!r}. Scan the packing slip's barcode or type the order reference."
        )
    printer = _printer()
    held = take_hold(
        db.session,
        order,
        current_user._get_current_object(),  # type: ignore[attr-defined]
        bench=printer.bench or printer.name if printer else "",
        now=utcnow(),
    )
    db.session.commit()
    options = load_options(settings_store(db.session))
    product_ids = {line.product_id for line in order.lines if line.product_id}
    products = {
        p.cin7_id: p
        for p in db.session.scalars(select(Product).where(Product.cin7_id.in_(product_ids)))
    }
    return render_template(
        "partials/bench/order.html",
        order=order,
        problems=[
            *shipping_problems(order, products, block_batch_serial=options.block_batch_serial),
            *([held.describe()] if held else []),
        ],
        consignments=_consignments(order.id),
        key=new_ship_key(order.id),
        opened=utcnow(),
        choices=ship_choices(db.session),
    )


@bp.post("/ship")
@role_required(Role.PACKER)
def ship() -> ResponseReturnValue:
    """Enter: book, print and record the Cin7 write-backs; answer with the result panel."""
    printer = _printer()
    if printer is None:
        return _error("Choose this bench's printer first.")
    form = request.form
    order_id = form.get("order_id", type=int) or 0
    carrier_code, _, service_code = (form.get("service") or "").partition(":")
    try:
        grams = parse_weight(form.get("weight", ""))
        preset = db.session.get(PackagePreset, form.get("preset_id", type=int) or 0)
        parcel = parcel_from_preset(preset_of(preset), grams) if preset else Parcel(grams)
        store = settings_store(db.session)
        shipped = ship_order(
            db.session,
            order_id,
            ShipRequest(
                key=(form.get("key") or "")[:64] or new_ship_key(order_id),
                parcels=(parcel,),
                service_code=service_code,
                carrier_code=carrier_code or "ownlabel",
                cost_centre_id=form.get("cost_centre_id", type=int),
                scanned_at=_opened(form.get("opened", "")),
                manual_ticket=(form.get("manual_ticket") or "").strip()[:48] or None,
            ),
            printer=printer,
            user=current_user._get_current_object(),  # type: ignore[attr-defined]
            options=load_options(store),
            sender=load_sender(store),
            now=utcnow(),
        )
    except CarrierUnavailable as exc:
        db.session.rollback()
        log.warning("carrier unreachable for order %s: %s", order_id, exc)
        fields = {k: v for k, v in form.items() if k != "manual_ticket"}
        return render_template(
            "partials/bench/carrier_down.html", message=str(exc), fields=fields
        ), 422
    except (WeightInvalid, DispatchRefused, CarrierError) as exc:
        db.session.rollback()
        log.info("bench refused order %s: %s", order_id, exc)
        return _error(str(exc))
    jobs().print_queue(printer.id)
    jobs().deliver_outbox()
    for job in shipped.jobs:
        db.session.refresh(job)
    return render_template("partials/bench/shipped.html", shipped=shipped)


@bp.post("/queue")
@role_required(Role.PACKER)
def queue() -> ResponseReturnValue:
    """The carrier is down: book this consignment (and print here) once it answers."""
    printer = _printer()
    if printer is None:
        return _error("Choose this bench's printer first.")
    try:
        row = queue_for_carrier(
            db.session, (request.form.get("key") or "")[:64], printer=printer, now=utcnow()
        )
    except QueueRefused as exc:
        return _error(str(exc))
    return render_template("partials/bench/queued.html", consignment=row, printer=printer)


@bp.post("/orders/<int:order_id>/release")
@role_required(Role.PACKER)
def release(order_id: int) -> ResponseReturnValue:
    """Put the order down so another bench can ship it."""
    release_hold(db.session, order_id)
    db.session.commit()
    return render_template("partials/bench/released.html")


@bp.post("/consignments/<int:consignment_id>/void")
@role_required(Role.PACKER)
def void(consignment_id: int) -> ResponseReturnValue:
    """Void a consignment from the bench and say what could not be undone."""
    consignment = db.session.get(Consignment, consignment_id) or abort(404, "No such consignment.")
    audit.record(db.session, current_user, "consignment.voided", target=consignment)
    try:
        voided = void_consignment(db.session, consignment, now=utcnow())
    except CarrierError as exc:
        db.session.rollback()
        return _error(str(exc))
    return render_template("partials/bench/voided.html", voided=voided)


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


def _printer() -> Printer | None:
    chosen = db.session.get(Printer, session.get(PRINTER_KEY, current_user.default_printer_id) or 0)
    if chosen is not None and chosen.active:
        return chosen
    return db.session.scalars(select(Printer).where(Printer.active).order_by(Printer.id)).first()


def _consignments(order_id: int) -> list[Consignment]:
    return list(
        db.session.scalars(
            select(Consignment).where(Consignment.order_id == order_id).order_by(Consignment.id)
        )
    )


def _error(message: str) -> ResponseReturnValue:
    return render_template("partials/bench/error.html", message=message), 422
