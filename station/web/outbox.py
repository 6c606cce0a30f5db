"""What needs attention: failed Cin7 write-backs, inbox webhooks and orders the sync set aside."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from station.cin7.allowance import Cin7Action
from station.cin7.errors import Cin7Error
from station.cin7.refresh import retry_set_aside_now
from station.cin7.setaside import set_aside_orders
from station.cin7.sync import OrderNotStorable
from station.cin7.wiring import cin7_wiring
from station.db import utcnow
from station.dispatch.outbox import needs_attention
from station.dispatch.outbox_admin import retry_failed_write_backs, retry_write_back
from station.dispatch.void_orders import cancelled_for_void
from station.extensions import db
from station.inbox.webhook_admin import retry_failed_webhook
from station.inbox.webhooks import failed_webhooks
from station.jobs import jobs
from station.models import InboxWebhook, OutboxItem, OutboxState, Role, SetAsideOrder, User
from station.web.access import role_required
from station.web.cin7_actions import spends_cin7

bp = Blueprint("outbox", __name__, url_prefix="/outbox")

STATES = {  # how a write-back or delivery that cannot be retried stands, for the flash message
    OutboxState.PENDING: "already queued",
    OutboxState.SENDING: "being sent right now",
    OutboxState.DONE: "already delivered",
    OutboxState.FAILED: "failed",
    OutboxState.CANCELLED: "cancelled (its consignment was voided, or its order is void in Cin7)",
}


@bp.get("")
@role_required(Role.MANAGER)
def index() -> ResponseReturnValue:
    """Every failed write-back, inbox webhook and set-aside order, oldest first; then the
    write-backs lately cancelled because their order is void in Cin7."""
    return render_template(
        "outbox/index.html",
        items=needs_attention(db.session),
        webhooks=failed_webhooks(db.session),
        set_aside=set_aside_orders(db.session),
        void_cancelled=cancelled_for_void(db.session),
    )


@bp.post("/set-aside/<int:set_aside_id>/retry")
@role_required(Role.MANAGER)
@spends_cin7(Cin7Action.LOOKUP)
def retry_set_aside(set_aside_id: int) -> ResponseReturnValue:
    """Read one set-aside order from Cin7 again now and try to store it."""
    row = db.session.get(SetAsideOrder, set_aside_id) or abort(404, "No such set-aside order.")
    reference = row.reference
    try:
        with cin7_wiring().client(db.session) as client:
            stored = retry_set_aside_now(_actor(), client, row)
    except Cin7Error as exc:
        flash(f"{reference} was not read from Cin7: {exc}", "error")
        return redirect(url_for("outbox.index"))
    except OrderNotStorable as exc:
        flash(str(exc), "error")
        return redirect(url_for("outbox.index"))
    if stored is None:
        flash(f"Cin7 no longer has {reference}; it was taken off this list.", "warning")
    else:
        flash(f"{stored} is stored now.", "info")
    return redirect(url_for("outbox.index"))


@bp.post("/<int:item_id>/retry")
@role_required(Role.MANAGER)
@spends_cin7(Cin7Action.SEND)
def retry(item_id: int) -> ResponseReturnValue:
    """Try one failed write-back again now."""
    item = db.session.get(OutboxItem, item_id) or abort(404, "No such write-back.")
    what, state = f"{item.kind.value} for {item.order.reference}", item.state
    if not retry_write_back(_actor(), item, now=utcnow(), deliver=jobs().deliver_outbox):
        flash(f"The {what} is {STATES[state]}, not failed; nothing was retried.", "info")
        return redirect(request.referrer or url_for("outbox.index"))
    flash(f"{what} will be sent again now.", "info")
    return redirect(request.referrer or url_for("outbox.index"))


@bp.post("/retry-all")
@role_required(Role.MANAGER)
@spends_cin7(Cin7Action.SEND)
def retry_all() -> ResponseReturnValue:
    """Try every failed write-back again (after fixing what they failed on in Cin7)."""
    retried = retry_failed_write_backs(_actor(), now=utcnow(), deliver=jobs().deliver_outbox)
    flash(f"{retried} write-back(s) will be sent again now.", "info")
    return redirect(url_for("outbox.index"))


@bp.post("/webhooks/<int:hook_id>/retry")
@role_required(Role.MANAGER)
def retry_webhook_now(hook_id: int) -> ResponseReturnValue:
    """Post one failed inbox webhook again now (same delivery id)."""
    hook = db.session.get(InboxWebhook, hook_id) or abort(404, "No such webhook.")
    reference, state = hook.order.reference, hook.state
    deliver = jobs().deliver_inbox_webhooks
    if not retry_failed_webhook(_actor(), hook, now=utcnow(), deliver=deliver):
        flash(
            f"The webhook for {reference} is {STATES[state]}, not failed; nothing was retried.",
            "info",
        )
        return redirect(request.referrer or url_for("outbox.index"))
    flash(f"The webhook for {reference} will be posted again now.", "info")
    return redirect(request.referrer or url_for("outbox.index"))


def _actor() -> User:
    """The signed-in manager, as the services record them."""
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]
