"""The order list, one order's page, and asking Cin7 about orders Station lacks."""

from __future__ import annotations

from io import BytesIO

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from station import audit
from station.cin7.allowance import Cin7Action
from station.cin7.budget import cin7_status
from station.cin7.errors import Cin7Error
from station.cin7.refresh import refresh_from_cin7, request_sync
from station.cin7.selection import load_selection
from station.cin7.sync import OrderNotStorable, explain_missing, find_local_order
from station.cin7.wiring import cin7_wiring
from station.db import utcnow
from station.dispatch.bulk import MAX_ORDERS
from station.dispatch.checks import ship_verdicts
from station.dispatch.choices import ship_choices
from station.dispatch.options import load_options
from station.dispatch.outbox import writeback_badges
from station.dispatch.timeline import order_history
from station.extensions import db
from station.jobs import jobs
from station.models import Role, SalesOrder
from station.orders import FILTER_ARGS, filter_choices, filters_from_args, list_orders
from station.packing import packing_slip_pdf
from station.printing.setup import active_printers
from station.settings import settings_store
from station.sitetime import SECONDS, said
from station.web.cin7_actions import spends_cin7
from station.web.fragments import is_fragment_request, page_or_fragment
from station.web.localtime import warehouse_zone
from station.web.params import db_int

bp = Blueprint("orders", __name__, url_prefix="/orders")


@bp.get("")
@login_required
def index() -> Response:
    """List synced orders with search, filters and paging; htmx gets just the rows."""
    filters, problems = filters_from_args(request.args)
    rules = load_options(settings_store(db.session)).rules
    page = list_orders(
        db.session,
        filters,
        page=request.args.get("page", 1, type=db_int),
        per_page=current_app.config["ORDERS_PER_PAGE"],
        rules=rules,
    )
    fragment = is_fragment_request()
    bulk = current_user.role.allows(Role.MANAGER) and not fragment
    return page_or_fragment(
        "orders/index.html",
        "partials/orders/results.html",
        listing=page,
        badges=writeback_badges(db.session, [o.id for o in page.orders]),
        verdicts=ship_verdicts(db.session, page.orders, rules),
        problems=problems,
        choices=ship_choices(db.session) if bulk else None,
        confirm_stages=rules.confirm_stages,
        menus=None if fragment else filter_choices(db.session),
        bulk_max=MAX_ORDERS,
        filter_args=FILTER_ARGS,
    )


@bp.get("/<int:order_id>")
@login_required
def show(order_id: int) -> str:
    """One order with its lines."""
    order = db.session.get(SalesOrder, order_id)
    if order is None:
        abort(404, "No such order in Station.")
    rules = load_options(settings_store(db.session)).rules
    return render_template(
        "orders/show.html",
        order=order,
        verdict=ship_verdicts(db.session, [order], rules)[order.id],
        printers=active_printers(db.session),
        history=order_history(db.session, order.id),
        badge=writeback_badges(db.session, [order.id]).get(order.id),
        trail=audit.order_trail(db.session, order.id),
        tz=warehouse_zone(),
    )


@bp.get("/<int:order_id>/packing-slip.pdf")
@login_required
def packing_slip(order_id: int) -> Response:
    """The order's packing slip as a PDF (its barcode opens the order at the bench)."""
    order = db.session.get(SalesOrder, order_id)
    if order is None:
        abort(404, "No such order in Station.")
    pdf = packing_slip_pdf(order, today=utcnow().date())
    # The reference is Cin7's text: send_file quotes it and adds an RFC 5987 filename*
    # for what is not ASCII, so any reference makes a header browsers and servers take.
    return send_file(
        BytesIO(pdf),
        mimetype="application/pdf",
        download_name=f"packing-slip-{order.reference}.pdf",
    )


@bp.get("/why-missing")
@login_required
@spends_cin7(Cin7Action.LOOKUP)
def why_missing() -> str:
    """Ask Cin7 (one call) why an order someone searched for is not in Station."""
    reference = request.args.get("q", "").strip()[:64]
    if not reference:
        return render_template(
            "partials/orders/why_missing.html", message="Type an order number first."
        )
    local = find_local_order(db.session, reference)
    if local is not None:
        message = f"{local.reference} is in Station."
    else:
        wiring = cin7_wiring()
        selection = load_selection(wiring.settings(db.session))
        try:
            with wiring.client(db.session) as client:
                message = explain_missing(client, reference, selection, now=utcnow())
        except Cin7Error as exc:
            message = f"Could not ask Cin7: {exc}"
    return render_template("partials/orders/why_missing.html", message=message)


@bp.post("/sync")
@login_required
@spends_cin7(Cin7Action.SYNC)
def sync_now() -> Response:
    """Queue an order sync now, unless one is already under way."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    running = request_sync(user, lambda: jobs().sync_orders("manual"))
    if running is not None:
        flash(
            f"A sync is already running (started {said(running.started_at, SECONDS)}, "
            f"{running.orders_seen:,} orders so far); its progress shows at the top.",
            "info",
        )
        return redirect(url_for("orders.index"))
    flash("Order sync started. New orders appear here when it finishes.", "info")
    return redirect(url_for("orders.index"))


@bp.post("/<int:order_id>/refresh")
@login_required
@spends_cin7(Cin7Action.LOOKUP)
def refresh(order_id: int) -> Response:
    """Read this one order from Cin7 now (one call, plus its products if new to Station)."""
    order = db.session.get(SalesOrder, order_id) or abort(404, "No such order in Station.")
    reference = order.reference
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    try:
        with cin7_wiring().client(db.session) as client:
            fresh = refresh_from_cin7(user, client, order.cin7_id)
    except Cin7Error as exc:
        flash(f"{reference} was not refreshed: {exc}", "error")
        return redirect(url_for("orders.show", order_id=order_id))
    except OrderNotStorable as exc:
        flash(f"{exc} Station's copy is unchanged.", "error")
        return redirect(url_for("orders.show", order_id=order_id))
    if fresh is None:
        flash(f"Cin7 no longer has {reference}; Station's copy is unchanged.", "warning")
    else:
        flash(f"{reference} refreshed from Cin7.", "info")
    return redirect(url_for("orders.show", order_id=order_id))


@bp.get("/sync/status")
@login_required
def sync_status() -> str:
    """The header's Cin7 status (it polls itself while a sync runs)."""
    return render_template("partials/cin7_status.html", cin7_status=cin7_status(db.session))
