"""What needs attention: failed Cin7 write-backs, inbox webhooks and orders the sync set aside."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from station import audit
from station.cin7.allowance import Cin7Action
from station.cin7.errors import Cin7Error
from station.cin7.setaside import set_aside_orders
from station.cin7.sync import OrderNotStorable
from station.cin7.sync import retry_set_aside as retry_set_aside_order
from station.cin7.wiring import cin7_wiring
from station.db import utcnow
from station.dispatch.outbox import needs_attention, retry_item
from station.dispatch.void_orders import cancelled_for_void
from station.extensions import db
from station.inbox.masked_urls import masked_url
from station.inbox.webhooks import failed_webhooks, retry_webhook
from station.jobs import jobs
from station.models import InboxWebhook, OutboxItem, OutboxState, Role, SetAsideOrder
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
    reference, cin7_id = row.reference, row.cin7_id
    try:
        with cin7_wiring().client(db.session) as client:
            fresh = retry_set_aside_order(db.session, client, row)
    except Cin7Error as exc:
        db.session.rollback()
        flash(f"{reference} was not read from Cin7: {exc}", "error")
        return redirect(url_for("outbox.index"))
    except OrderNotStorable as exc:
        db.session.commit()  # the set-aside row keeps the newest reason
        flash(str(exc), "error")
        return redirect(url_for("outbox.index"))
    if fresh is None:
        flash(f"Cin7 no longer has {reference}; it was taken off this list.", "warning")
    else:
        flash(f"{fresh.reference} is stored now.", "info")
    audit.record(
        db.session,
        current_user,
        "sync.set_aside_retried",
        target=fresh or audit.Target("sales_order", None, reference),
        detail={"cin7_id": cin7_id},
    )
    db.session.commit()
    return redirect(url_for("outbox.index"))


@bp.post("/<int:item_id>/retry")
@role_required(Role.MANAGER)
@spends_cin7(Cin7Action.SEND)
def retry(item_id: int) -> ResponseReturnValue:
    """Try one failed write-back again now."""
    item = db.session.get(OutboxItem, item_id) or abort(404, "No such write-back.")
    what = f"{item.kind.value} for {item.order.reference}"
    if not _retry(item):
        flash(f"The {what} is {STATES[item.state]}, not failed; nothing was retried.", "info")
        return redirect(request.referrer or url_for("outbox.index"))
    db.session.commit()
    jobs().deliver_outbox()
    flash(f"{what} will be sent again now.", "info")
    return redirect(request.referrer or url_for("outbox.index"))


@bp.post("/retry-all")
@role_required(Role.MANAGER)
@spends_cin7(Cin7Action.SEND)
def retry_all() -> ResponseReturnValue:
    """Try every failed write-back again (after fixing what they failed on in Cin7)."""
    retried = sum(_retry(item) for item in needs_attention(db.session))
    db.session.commit()
    jobs().deliver_outbox()
    flash(f"{retried} write-back(s) will be sent again now.", "info")
    return redirect(url_for("outbox.index"))


@bp.post("/webhooks/<int:hook_id>/retry")
@role_required(Role.MANAGER)
def retry_webhook_now(hook_id: int) -> ResponseReturnValue:
    """Post one failed inbox webhook again now (same delivery id)."""
    hook = db.session.get(InboxWebhook, hook_id) or abort(404, "No such webhook.")
    reference = hook.order.reference
    if not retry_webhook(db.session, hook, now=utcnow()):
        flash(
            f"The webhook for {reference} is {STATES[hook.state]}, not failed; "
            "nothing was retried.",
            "info",
        )
        return redirect(request.referrer or url_for("outbox.index"))
    audit.record(
        db.session,
        current_user,
        "inbox.webhook_retried",
        target=audit.Target("inbox_order", hook.order_id, reference),
        detail={"url": masked_url(hook.url)},
    )
    db.session.commit()
    jobs().deliver_inbox_webhooks()
    flash(f"The webhook for {reference} will be posted again now.", "info")
    return redirect(request.referrer or url_for("outbox.index"))


def _retry(item: OutboxItem) -> bool:
    """Put a failed item back in the queue, and say who did (committed with it); False if
    it was not failed (another click, or a retry all, got there first)."""
    if not retry_item(db.session, item, now=utcnow()):
        return False
    audit.record(
        db.session,
        current_user,
        "outbox.retried",
        target=item.order,
        detail={"write_back": item.kind.value},
    )
    return True
