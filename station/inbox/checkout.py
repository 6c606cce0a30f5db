"""Checkout fields: per-order values (Order Desk's "checkout data") that become Cin7 fields.

Which Cin7 field each one fills is documented in ``docs/inbox.md``; ``cin7_order`` does
the filling. Keys are matched in any letter case and stored under the names below. Other
keys are kept with the order (rules read them as ``checkout.<name>``) but are not sent to Cin7.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from station.cin7.mapping import format_cin7_datetime, parse_cin7_datetime
from station.ids import parse_id
from station.text import clean_line

SHIP_METHOD = "ShipMethod"
CIN7_SHIP_METHOD = "cin7_ship_method"
STAGE = "Stage"
CUSTOMER_ORDER_NO = "CustomerOrderNo"
BRANCH_ID = "BranchId"
DISPATCHED_DATE = "DispatchedDate"
ACCOUNTING_IMPORT_STATUS = "AccountingImportStatus"
CUSTOM_FIELD_SLOTS = (1, 2, 3, 4)
CUSTOM_NAMES = tuple(f"CustomFieldName{n}" for n in CUSTOM_FIELD_SLOTS)
CUSTOM_VALUES = tuple(f"CustomFieldValue{n}" for n in CUSTOM_FIELD_SLOTS)

# The longest value each field may hold (Cin7 documents few limits; these keep to them).
MAX_LENGTHS: dict[str, int] = {
    SHIP_METHOD: 128,
    CIN7_SHIP_METHOD: 128,
    STAGE: 64,
    CUSTOMER_ORDER_NO: 128,
    BRANCH_ID: 12,
    DISPATCHED_DATE: 40,
    ACCOUNTING_IMPORT_STATUS: 64,
    **dict.fromkeys(CUSTOM_NAMES, 64),
    **dict.fromkeys(CUSTOM_VALUES, 255),
}
CIN7_FIELDS = tuple(MAX_LENGTHS)  # the checkout fields Station sends to Cin7
OTHER_MAX_LENGTH = 255
MAX_FIELDS = 50

# Answers whether Cin7 has a branch: True, False, or None when Cin7 cannot be asked now.
BranchLookup = Callable[[int], bool | None]

_CANONICAL = {name.lower(): name for name in CIN7_FIELDS}


def read_checkout(
    data: Any, *, branch_known: BranchLookup | None = None
) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The checkout fields as ``{name: text}`` and the problems found, keyed ``checkout.<name>``.

    Values are strings or numbers; empty ones are dropped. ``DispatchedDate`` is stored
    as Cin7 writes dates (UTC, ``Z``). ``BranchId`` must be a branch Cin7 has, when
    ``branch_known`` can tell.
    """
    if data is None:
        return {}, {}
    if not isinstance(data, Mapping):
        return {}, {"checkout": ["must be an object of field names and values"]}
    if len(data) > MAX_FIELDS:
        return {}, {"checkout": [f"may hold at most {MAX_FIELDS} fields"]}
    fields: dict[str, str] = {}
    problems: dict[str, list[str]] = {}
    for key, value in data.items():
        given = clean_line(str(key)).strip()
        name = _CANONICAL.get(given.lower(), given)
        text, problem = _text(value, MAX_LENGTHS.get(name, OTHER_MAX_LENGTH))
        if problem:
            problems.setdefault(f"checkout.{name}", []).append(problem)
        elif text:
            fields[name] = text
    for name, problem in _field_problems(fields, branch_known).items():
        problems.setdefault(f"checkout.{name}", []).append(problem)
    if DISPATCHED_DATE in fields and f"checkout.{DISPATCHED_DATE}" not in problems:
        fields[DISPATCHED_DATE] = format_cin7_datetime(parse_cin7_datetime(fields[DISPATCHED_DATE]))
    return fields, problems


def _text(value: Any, limit: int) -> tuple[str, str | None]:
    if value is None:
        return "", None
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return "", "must be text or a number"
    text = clean_line(str(value)).strip()
    if len(text) > limit:
        return "", f"must be at most {limit} characters"
    return text, None


def _field_problems(fields: Mapping[str, str], branch_known: BranchLookup | None) -> dict[str, str]:
    problems: dict[str, str] = {}
    branch = fields.get(BRANCH_ID)
    if branch is not None:
        branch_id = parse_id(branch)
        if not branch_id:
            problems[BRANCH_ID] = "must be a Cin7 branch id (a whole number above 0)"
        elif branch_known is not None and branch_known(branch_id) is False:
            problems[BRANCH_ID] = f"is not a branch in Cin7 (no branch has id {branch_id})"
    if DISPATCHED_DATE in fields:
        try:
            parse_cin7_datetime(fields[DISPATCHED_DATE])
        except ValueError:
            problems[DISPATCHED_DATE] = "must be a date such as 2026-05-01 or 2026-05-01T14:30:00Z"
    for name, value in zip(CUSTOM_NAMES, CUSTOM_VALUES, strict=True):
        if (name in fields) != (value in fields):
            missing, given = (value, name) if name in fields else (name, value)
            problems[missing] = f"is needed with {given}"
    return problems


def ship_method(checkout: Mapping[str, str], *, default_mail_class: str, shop_method: str) -> str:
    """The ship method Cin7 gets: cin7_ship_method, ShipMethod, the default mail class, the shop's."""
    for candidate in (
        checkout.get(CIN7_SHIP_METHOD),
        checkout.get(SHIP_METHOD),
        default_mail_class,
        shop_method,
    ):
        if candidate and candidate.strip():
            return candidate.strip()
    return ""


def custom_fields(checkout: Mapping[str, str]) -> dict[str, str]:
    """``CustomFieldName1..4`` with their ``CustomFieldValue1..4`` as Cin7's ``customFields``."""
    return {
        checkout[name]: checkout[value]
        for name, value in zip(CUSTOM_NAMES, CUSTOM_VALUES, strict=True)
        if checkout.get(name) and value in checkout
    }
