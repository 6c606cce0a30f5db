"""Write-backs that need attention: failed Cin7 updates with their errors, and retry."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from station import audit
from station.db import utcnow
from station.dispatch.outbox import needs_attention, retry_item
from station.extensions import db
from station.jobs import jobs
from station.models import OutboxItem, Role
from station.web.access import role_required

bp = Blueprint("outbox", __name__, url_prefix="/outbox")


@bp.get("")
@role_required(Role.MANAGER)
def index() -> ResponseReturnValue:
    """Every failed write-back, oldest first."""
    return render_template("outbox/index.html", items=needs_attention(db.session))


@bp.post("/<int:item_id>/retry")
@role_required(Role.MANAGER)
def retry(item_id: int) -> ResponseReturnValue:
    """Try one failed write-back again now."""
    item = db.session.get(OutboxItem, item_id) or abort(404, "No such write-back.")
    _retry(item)
    db.session.commit()
    jobs().deliver_outbox()
    flash(f"{item.kind.value} for {item.order.reference} will be sent again now.", "info")
    return redirect(request.referrer or url_for("outbox.index"))


@bp.post("/retry-all")
@role_required(Role.MANAGER)
def retry_all() -> ResponseReturnValue:
    """Try every failed write-back again (after fixing what they failed on in Cin7)."""
    items = needs_attention(db.session)
    for item in items:
        _retry(item)
    db.session.commit()
    jobs().deliver_outbox()
    flash(f"{len(items)} write-back(s) will be sent again now.", "info")
    return redirect(url_for("outbox.index"))


def _retry(item: OutboxItem) -> None:
    """Put a failed item back in the queue, and say who did (committed with it)."""
    retry_item(db.session, item, now=utcnow())
    audit.record(
        db.session,
        current_user,
        "outbox.retried",
        target=item.order,
        detail={"write_back": item.kind.value},
    )
