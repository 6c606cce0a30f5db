"""Inbox → Rules: the rules list and form, dry runs and re-runs on ticked orders."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

from station.cin7.allowance import Cin7Action
from station.db import utcnow
from station.extensions import db
from station.inbox.errors import RuleInvalid
from station.inbox.events import TITLES
from station.inbox.folders import list_folders
from station.inbox.rule_admin import (
    FIELD_CHOICES,
    RuleDraft,
    keep_rule,
    list_rules,
    remove_rule,
    reorder_rule,
    toggle_rule,
)
from station.inbox.rule_checks import dry_run_event, run_rules_again
from station.inbox.rules import OPERATOR_NAMES, Action
from station.jobs import jobs
from station.models import InboxEventKind, InboxRule, Role
from station.web.access import role_required
from station.web.cin7_actions import spends_cin7
from station.web.inbox import current_person, ticked_order_ids
from station.web.params import db_int

bp = Blueprint("inbox_rules", __name__, url_prefix="/inbox/rules")
ROWS = 4  # blank condition and action rows the form offers at least
MAX_ROWS = 20
ACTION_NAMES = {
    Action.SUBMIT: "Submit to Cin7",
    Action.MOVE: "Move to folder",
    Action.SET_CHECKOUT: "Set checkout field (Name=value)",
    Action.ADD_NOTE: "Add note",
    Action.ADD_TAG: "Add tag",
    Action.WEBHOOK: "Call webhook (URL)",
}


@bp.get("")
@role_required(Role.MANAGER)
def index() -> str:
    """The rules in the order they run."""
    return render_template("inbox/rules.html", rules=list_rules(db.session), events=TITLES)


@bp.route("/new", methods=["GET", "POST"])
@bp.route("/<int:rule_id>/edit", methods=["GET", "POST"])
@role_required(Role.MANAGER)
def edit(rule_id: int | None = None) -> ResponseReturnValue:
    """Make a rule, or change one."""
    rule = _rule(rule_id) if rule_id is not None else None
    if request.method == "GET":
        return _form(rule, _draft_of(rule) if rule else RuleDraft(name="", event="imported"))
    draft = _draft_from_form()
    try:
        saved = keep_rule(current_person(), draft, rule)
    except RuleInvalid as exc:
        flash(str(exc), "error")
        return _form(rule, draft, status=422)
    flash(f"Rule {saved.name} saved.", "info")
    return redirect(url_for("inbox_rules.index"))


@bp.post("/<int:rule_id>/toggle")
@role_required(Role.MANAGER)
def toggle(rule_id: int) -> ResponseReturnValue:
    """Turn a rule on or off."""
    rule = _rule(rule_id)
    enabled = toggle_rule(current_person(), rule)
    flash(f"Rule {rule.name} is {'on' if enabled else 'off'}.", "info")
    return redirect(url_for("inbox_rules.index"))


@bp.post("/<int:rule_id>/move")
@role_required(Role.MANAGER)
def move(rule_id: int) -> ResponseReturnValue:
    """Run a rule one place earlier (step -1) or later (step 1)."""
    step = -1 if request.form.get("step") == "-1" else 1
    reorder_rule(current_person(), _rule(rule_id), step)
    return redirect(url_for("inbox_rules.index"))


@bp.post("/<int:rule_id>/delete")
@role_required(Role.MANAGER)
def delete(rule_id: int) -> ResponseReturnValue:
    """Remove a rule (its log stays on the orders)."""
    name = remove_rule(current_person(), _rule(rule_id))
    flash(f"Rule {name} deleted.", "info")
    return redirect(url_for("inbox_rules.index"))


@bp.post("/dry-run")
@role_required(Role.MANAGER)
def dry_run() -> ResponseReturnValue:
    """Which rules for the chosen event would fire on the ticked orders, and why."""
    event = _event()
    explanations = dry_run_event(db.session, ticked_order_ids(), event)
    db.session.rollback()  # a dry run changes nothing
    return render_template(
        "inbox/dry_run.html", explanations=explanations, event=event, events=TITLES
    )


@bp.post("/rerun")
@role_required(Role.MANAGER)
@spends_cin7(Cin7Action.SEND)
def rerun_rules() -> ResponseReturnValue:
    """Run the rules for the chosen event again on the ticked orders."""
    event = _event()
    count = run_rules_again(current_person(), ticked_order_ids(), event, at=utcnow(), jobs=jobs())
    flash(f"Rules for {TITLES[event]} ran again on {count} order(s).", "info")
    return redirect(request.referrer or url_for("inbox.index"))


def _rule(rule_id: int) -> InboxRule:
    return db.session.get(InboxRule, rule_id) or abort(404, "No such rule.")


def _event() -> InboxEventKind:
    try:
        return InboxEventKind(request.form.get("event", ""))
    except ValueError:
        abort(400, "Choose the event whose rules to run.")


def _draft_of(rule: InboxRule) -> RuleDraft:
    return RuleDraft(
        name=rule.name,
        event=rule.event,
        match_all=rule.match_all,
        conditions=rule.conditions,
        actions=rule.actions,
        enabled=rule.enabled,
    )


def _draft_from_form() -> RuleDraft:
    form = request.form
    return RuleDraft(
        name=form.get("name", ""),
        event=form.get("event", ""),
        match_all=form.get("match") != "any",
        conditions=_rows(form, "condition", ("field", "operator", "value")),
        actions=_rows(form, "action", ("action", "argument")),
        enabled=form.get("enabled") == "on",
    )


def _rows(form: MultiDict[str, str], prefix: str, keys: tuple[str, ...]) -> list[dict[str, str]]:
    # The count comes back from a hidden field: anything but a small number means the default.
    count = min(max(form.get(f"{prefix}_rows", ROWS, type=db_int), 0), MAX_ROWS)
    return [{key: form.get(f"{prefix}-{row}-{key}", "") for key in keys} for row in range(count)]


def _padded(rows: Sequence[Mapping[str, str]]) -> list[Mapping[str, str]]:
    return [*rows, *([{}] * max(ROWS - len(rows), 0))]


def _form(rule: InboxRule | None, draft: RuleDraft, *, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "inbox/rule_form.html",
        rule=rule,
        draft=draft,
        conditions=_padded(draft.conditions),
        actions=_padded(draft.actions),
        events=TITLES,
        fields=FIELD_CHOICES,
        operators=OPERATOR_NAMES,
        action_names=ACTION_NAMES,
        folders=list_folders(db.session),
    )
    return page, status
