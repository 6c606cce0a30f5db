"""The Cin7 stages that must not ship, as a manager types them in Settings → Shipping.

Stages match exactly as Cin7 spells them (see ``station.dispatch.checks.ShipRules``), so a
name typed in another case takes the spelling of a stage Station's orders already have
(or of Cin7's standard stages), and a name no order has yet is saved but named back, in
case it is a typo.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from station.dispatch.checks import CONFIRM_STAGES, REFUSED_STAGES
from station.dispatch.options import DispatchOptions, OptionsInvalid, load_options, save_options
from station.errors import problems_sentence
from station.models import SalesOrder
from station.settings import SHIPPING_SETTINGS, SettingsStore, settings_store
from station.uow import UnitOfWork

if TYPE_CHECKING:
    from station.models import User

MAX_STAGES = 20
MAX_STAGE_LENGTH = 64  # SalesOrder.stage's width
SEPARATORS = re.compile(r"[,\n;]")


@dataclass(frozen=True, slots=True)
class StagesSaved:
    """The options as saved, and the stages no order in Station has yet."""

    options: DispatchOptions
    unseen: tuple[str, ...]


def known_stages(session: Session) -> list[str]:
    """Every stage Station's orders have, in Cin7's spelling."""
    return list(
        session.scalars(
            select(SalesOrder.stage)
            .where(SalesOrder.stage.is_not(None))
            .distinct()
            .order_by(SalesOrder.stage)
        )
    )


def save_stages(
    store: SettingsStore, *, refused: str, confirm: str, known: Iterable[str]
) -> StagesSaved:
    """Save the refused and confirm-first stages typed as lists; raises ``OptionsInvalid``.

    Every problem with either list is named at once.
    """
    saved = load_options(store)
    spelling = {
        stage.casefold(): stage
        for stage in (
            *REFUSED_STAGES,
            *CONFIRM_STAGES,
            *saved.refused_stages,
            *saved.confirm_stages,
            *known,
        )
    }
    seen = {stage.casefold() for stage in known}
    problems: list[str] = []
    refused_stages = _stages(refused, spelling, "refused", problems)
    confirm_stages = _stages(confirm, spelling, "to confirm", problems)
    options = replace(saved, refused_stages=refused_stages, confirm_stages=confirm_stages)
    problems.extend(options.problems())
    if problems:
        raise OptionsInvalid(problems_sentence(problems))
    save_options(store, options)
    unseen = tuple(s for s in (*refused_stages, *confirm_stages) if s.casefold() not in seen)
    return StagesSaved(options, unseen)


def change_stages(actor: User | None, *, refused: str, confirm: str) -> StagesSaved:
    """Save the stages a manager typed in Settings → Shipping, and audit before and after.

    Raises ``OptionsInvalid`` naming every problem; nothing is saved then.
    """
    with UnitOfWork(actor) as uow:
        store = settings_store(uow.session)
        before = load_options(store)
        saved = save_stages(
            store, refused=refused, confirm=confirm, known=known_stages(uow.session)
        )
        uow.record(
            "settings.ship_stages.saved",
            target=SHIPPING_SETTINGS,
            detail={
                "refused": list(saved.options.refused_stages),
                "confirm": list(saved.options.confirm_stages),
                "refused_before": list(before.refused_stages),
                "confirm_before": list(before.confirm_stages),
            },
        )
        uow.commit()
    return saved


def _stages(text: str, spelling: dict[str, str], what: str, problems: list[str]) -> tuple[str, ...]:
    """The stages typed in ``text`` (comma- or line-separated), each once, in Cin7's spelling."""
    names = [" ".join(part.split()) for part in SEPARATORS.split(text)]
    stages = list(dict.fromkeys(spelling.get(n.casefold(), n) for n in names if n))
    if len(stages) > MAX_STAGES:
        problems.append(f"list at most {MAX_STAGES} stages {what} ({len(stages)} typed)")
    for stage in stages:
        if len(stage) > MAX_STAGE_LENGTH:
            problems.append(f"a Cin7 stage is at most {MAX_STAGE_LENGTH} characters: {stage[:20]}…")
        elif stage.casefold() == "dispatched":
            problems.append("dispatched orders never ship again: Dispatched need not be listed")
    return tuple(stages)
