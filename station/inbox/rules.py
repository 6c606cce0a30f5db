"""Inbox rules (Order Desk's): the words a rule is made of and its conditions, checked purely.

A rule names one event, conditions (all or any must match) and actions done in turn.
This module only reads an order: which fields it has (``field_values``) and whether a
rule's conditions match it (``check_rule``). Doing the actions is ``actions``' table;
running the rules for an event, and the loop guard, is the ``bus``'s.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import pycountry

from station.models import InboxOrder, InboxRule

CHECKOUT_PREFIX = "checkout."


class Operator(enum.StrEnum):
    EQUALS = "equals"
    NOT_EQUALS = "not_equals"
    CONTAINS = "contains"
    STARTS_WITH = "starts_with"
    GREATER_THAN = "greater_than"
    LESS_THAN = "less_than"
    IS_EMPTY = "is_empty"
    IS_NOT_EMPTY = "is_not_empty"


class Action(enum.StrEnum):
    SUBMIT = "submit"
    MOVE = "move_to_folder"
    SET_CHECKOUT = "set_checkout_field"
    ADD_NOTE = "add_note"
    ADD_TAG = "add_tag"
    WEBHOOK = "webhook"


FIELDS = ("shop", "folder", "tags", "total", "country", "sku")  # and checkout.<name>
COUNTRY = "country"
# Names people and shops use that ISO 3166 does not list; the rest come from pycountry.
COUNTRY_ALIASES = {"uk": "GB", "great britain": "GB", "england": "GB", "usa": "US"}
OPERATOR_NAMES: dict[str, str] = {
    Operator.EQUALS: "equals",
    Operator.NOT_EQUALS: "does not equal",
    Operator.CONTAINS: "contains",
    Operator.STARTS_WITH: "starts with",
    Operator.GREATER_THAN: "is greater than",
    Operator.LESS_THAN: "is less than",
    Operator.IS_EMPTY: "is empty",
    Operator.IS_NOT_EMPTY: "is not empty",
}


@dataclass(frozen=True, slots=True)
class ConditionResult:
    """One condition checked against one order: what the order held and whether it matched."""

    field: str
    operator: str
    value: str
    found: tuple[str, ...]
    matched: bool

    def describe(self) -> str:
        """The condition, its verdict and what the order held, as people read it."""
        found = ", ".join(self.found) or "nothing"
        verdict = "matched" if self.matched else "did not match"
        return (
            f"{self.field} {OPERATOR_NAMES.get(self.operator, self.operator)} "
            + (f"{self.value!r} " if self.value else "")
            + f"{verdict} (found {found})"
        )


@dataclass(frozen=True, slots=True)
class RuleMatch:
    """A rule checked against an order."""

    rule: InboxRule
    matched: bool
    conditions: tuple[ConditionResult, ...]


def field_values(order: InboxOrder, name: str) -> tuple[str, ...]:
    """The order's values of ``name``: one for most fields, one per tag or line SKU."""
    key = name.strip().lower()
    if key.startswith(CHECKOUT_PREFIX):
        wanted = key.removeprefix(CHECKOUT_PREFIX)
        return tuple(str(v) for k, v in order.checkout.items() if k.lower() == wanted)
    values: tuple[Any, ...]
    if key == "shop":
        values = (order.shop,)
    elif key == "folder":
        values = (order.folder.name if order.folder is not None else "",)
    elif key == "tags":
        values = tuple(order.tags)
    elif key == "total":
        values = (str(order_total(order)),)
    elif key == COUNTRY:
        values = (order.shipping_address.get("country"),)
    elif key == "sku":
        values = tuple(line.get("sku") for line in order.lines)
    else:
        values = ()
    return tuple(str(v) for v in values if v not in (None, ""))


def order_total(order: InboxOrder) -> Decimal:
    """The lines' quantity times unit price, added up (a line without a price adds nothing)."""
    total = Decimal(0)
    for line in order.lines:
        price = as_number(line.get("unit_price"))
        if price is not None:
            total += price * Decimal(str(line.get("quantity") or 0))
    return total


def as_number(value: Any) -> Decimal | None:
    """``value`` as a finite number, or None: "NaN" and "Infinity" are not amounts."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@lru_cache(maxsize=1024)
def country_code(text: str) -> str | None:
    """The ISO 3166 alpha-2 code of a country named by code or name, in any case; None: unknown.

    "NZ", "nz", "NZL", "New Zealand" and "new zealand" are all ``"NZ"``; so are the official
    and common names pycountry knows ("Korea, Republic of", "South Korea").
    """
    name = " ".join(text.split()).casefold()
    if not name:
        return None
    if name in COUNTRY_ALIASES:
        return COUNTRY_ALIASES[name]
    try:
        return str(pycountry.countries.lookup(name).alpha_2)
    except LookupError:
        return None


def _same_country(found: str, wanted: str) -> bool | None:
    """Whether two texts name one country; None when either is not a country pycountry knows."""
    a, b = country_code(found), country_code(wanted)
    return None if a is None or b is None else a == b


def _compare(operator: Operator, found: str, wanted: str, *, country: bool = False) -> bool:
    if country and operator in (Operator.EQUALS, Operator.NOT_EQUALS):
        same = _same_country(found, wanted)
        if same is not None:
            return same
    a, b = found.casefold(), wanted.strip().casefold()
    if operator in (Operator.EQUALS, Operator.NOT_EQUALS):
        return a == b
    if operator is Operator.CONTAINS:
        return b in a
    if operator is Operator.STARTS_WITH:
        return a.startswith(b)
    x, y = as_number(found), as_number(wanted)
    if x is None or y is None:
        return False
    return x > y if operator is Operator.GREATER_THAN else x < y


def check_condition(order: InboxOrder, condition: Mapping[str, Any]) -> ConditionResult:
    """Whether ``order`` meets one ``{field, operator, value}``; text is matched in any case.

    A field with many values (tags, SKUs) matches when any value does; *does not equal*
    when none equals; *is empty* when it has no value. The country field's *equals* and
    *does not equal* compare countries, not spellings: "NZ" equals "New Zealand".
    """
    name = str(condition.get("field", ""))
    value = str(condition.get("value", "") or "")
    found = field_values(order, name)
    country = name.strip().lower() == COUNTRY
    try:
        operator = Operator(condition.get("operator"))
    except ValueError:
        return ConditionResult(name, str(condition.get("operator")), value, found, False)
    if operator is Operator.IS_EMPTY:
        matched = not found
    elif operator is Operator.IS_NOT_EMPTY:
        matched = bool(found)
    elif operator is Operator.NOT_EQUALS:
        matched = not any(_compare(operator, f, value, country=country) for f in found)
    else:
        matched = any(_compare(operator, f, value, country=country) for f in found)
    return ConditionResult(name, operator.value, value, found, matched)


def check_rule(rule: InboxRule, order: InboxOrder) -> RuleMatch:
    """The rule's conditions checked against ``order``; a rule without conditions matches."""
    results = tuple(check_condition(order, c) for c in rule.conditions)
    verdicts = [r.matched for r in results]
    matched = all(verdicts) if rule.match_all else (any(verdicts) or not verdicts)
    return RuleMatch(rule, matched, results)
