"""Hostile requests for the route sweep: values, ids, JSON bodies, and the named edges."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from io import BytesIO
from typing import Any

from hypothesis import strategies as st
from werkzeug.routing import Rule

from tests.web.route_inputs import Inputs

BIG = "1" + "0" * 30  # 10^30: past every integer column and SQLite's own integers
DIGITS = "9" * 5000  # past Python's 4,300-digit limit for int()
DEEP = "[" * 100_000 + "]" * 100_000
EDGE_TEXT = ["9999-12-31", "0001-01-01", "x\x00y", "nan", DIGITS, BIG]
# Values a person or a script could send anywhere.
HOSTILE = [
    *EDGE_TEXT,
    "",
    " ",
    "0",
    "-1",
    "1",
    "2",
    "-" + BIG,
    "inf",
    "-inf",
    "1e309",
    "0x10",
    "1.5",
    "on",
    "yes",
    "any",
    "2026-02-30",
    "9999-12-31T23:59:59+14:00",
    "0001-01-01T00:00:00-12:00",
    "\x00",
    "\u202e\u0000\ufeff",
    "'\"<>&;--",
    "Ōtautahi “quoted” 🚚",
    "a" * 5000,
    "%s%n{0}",
]


@dataclass(frozen=True)
class Call:
    """One generated request."""

    path: dict[str, Any]
    query: dict[str, str]
    form: dict[str, Any]
    body: bytes | None = None
    htmx: bool = False


# --- what Hypothesis sends --------------------------------------------------------------

hostile_text = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=20),
    st.integers().map(str),
    st.dates().map(str),
    st.floats().map(str),
    st.text(alphabet="0123456789-:T+.", max_size=26),
)
hostile_id = st.one_of(
    st.integers(min_value=0, max_value=4),
    st.sampled_from([2**31, 2**63 - 1, 2**63, 2**64, 10**30]),
    st.integers(min_value=0),
)
_raw_json = {
    "@@nan@@": "NaN",
    "@@inf@@": "-Infinity",
    "@@huge@@": "1e999",
    "@@digits@@": DIGITS,
    "@@big@@": BIG,
    "@@deep@@": DEEP,
}
json_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([*HOSTILE, *_raw_json]),
    st.text(max_size=20),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))


def _replaced(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = _replaced(value[path[0]], path[1:], new)
    return copy


def encode(value: Any) -> bytes:
    """JSON with the raw markers swapped for what ``json.dumps`` cannot write."""
    out = json.dumps(value, ensure_ascii=False)
    for marker, raw in _raw_json.items():
        out = out.replace(json.dumps(marker), raw)
    return out.encode()


@st.composite
def json_bodies(draw: st.DrawFn, base: Any) -> bytes:
    """The route's valid body with a few values made hostile, or a hostile body outright."""
    if draw(st.integers(0, 9)) == 0:
        return draw(
            st.one_of(st.binary(max_size=40), st.sampled_from([b"", b"null", b"[]", b"{}"]))
        )
    body = base
    paths = list(_leaves(base))
    for path in draw(st.lists(st.sampled_from(paths), min_size=1, max_size=3)):
        try:
            body = _replaced(body, path, draw(json_value))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change removed this path
    return encode(body)


@st.composite
def calls(draw: st.DrawFn, rule: Rule, inputs: Inputs, json_base: Any) -> Call:
    """Defaults everywhere, a few fields hostile."""
    path = {}
    for arg in rule.arguments:
        if rule._converters[arg].regex == r"\d+":
            path[arg] = draw(hostile_id)
        else:
            path[arg] = draw(st.one_of(st.sampled_from(["ownlabel", "daily"]), hostile_text))
    query, form = dict(inputs.query), dict(inputs.form)
    names = [("q", n) for n in sorted(query)] + [("f", n) for n in sorted(form)]
    names += [("u", n) for n in sorted(inputs.files)]
    if names:
        for where, name in draw(st.lists(st.sampled_from(names), max_size=3, unique=True)):
            if where == "u":
                content = draw(st.one_of(st.binary(max_size=60), st.sampled_from(HOSTILE)))
                raw = content.encode() if isinstance(content, str) else content
                form[name] = (BytesIO(raw), draw(st.sampled_from(["x.csv", 'ä".csv', ""])))
            else:
                (query if where == "q" else form)[name] = draw(hostile_text)
    body = draw(json_bodies(json_base)) if json_base is not None else None
    return Call(path, query, form, body, draw(st.booleans()))


def edge_calls(rule: Rule, inputs: Inputs, json_base: Any) -> list[Call]:
    """The named edges, each in every field of the route at once."""
    ints = {arg: 10**30 for arg in rule.arguments if rule._converters[arg].regex == r"\d+"}
    out = []
    for value in EDGE_TEXT:
        query = {name: value for name in inputs.query} | {"page": value}
        form = {name: value for name in inputs.form}
        out.append(Call(ints if value == BIG else {}, query, form))
    if json_base is not None:
        first = next((p for p in _leaves(json_base) if p), ())
        out += [
            Call({}, {}, {}, DEEP.encode()),
            Call({}, {}, {}, encode(_replaced(json_base, first, "@@digits@@"))),
            Call({}, {}, {}, encode(_replaced(json_base, first, "@@deep@@"))),
        ]
    return out
