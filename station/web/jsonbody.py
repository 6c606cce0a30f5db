"""Reading JSON from requests: one parser for every JSON route, with limits a person can act on.

Python's own parser takes things no shop or agent means to send and some it cannot
finish: nesting a few thousand levels deep (RecursionError), numbers past 4,300 digits
(ValueError from ``int``), ``NaN``, ``Infinity`` and ``1e999`` (not JSON, RFC 8259).
``loads`` refuses each with ``BodyInvalid`` and a sentence; the app's JSON provider uses
it, so ``request.get_json`` keeps to the same limits anywhere.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask, abort, request
from flask.json.provider import DefaultJSONProvider

MAX_DEPTH = 32  # an order is four levels deep, a Shopify webhook about six
MAX_DIGITS = 100  # an order's largest number (a Shopify id) has 20


class BodyInvalid(ValueError):
    """The body is not JSON Station reads; the message says why, as a sentence."""


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise BodyInvalid(f"A number in the body has more than {MAX_DIGITS} digits.")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyInvalid(f"The number {text[:30]} in the body is too large.")
    return value


def _constant(name: str) -> Any:
    raise BodyInvalid(f"{name} is not a JSON number; send a number or null.")


def loads(data: str | bytes, **kwargs: Any) -> Any:
    """Parse JSON text (bytes must be UTF-8); raise ``BodyInvalid`` saying why it cannot be.

    ``kwargs`` go to ``json.loads`` (Flask's session passes an ``object_hook``).
    """
    if isinstance(data, bytes | bytearray):
        try:
            data = data.decode("utf-8")  # JSON between systems is UTF-8 (RFC 8259)
        except UnicodeDecodeError:
            raise BodyInvalid("The body is not UTF-8 text.") from None
    try:
        value = json.loads(
            data, parse_int=_int, parse_float=_float, parse_constant=_constant, **kwargs
        )
    except RecursionError:
        raise BodyInvalid(_too_deep()) from None
    except json.JSONDecodeError as exc:
        raise BodyInvalid(f"The body is not valid JSON: {exc}.") from None
    if _deeper_than(value, MAX_DEPTH):
        raise BodyInvalid(_too_deep())
    return value


def _too_deep() -> str:
    return f"The body nests lists or objects more than {MAX_DEPTH} levels deep."


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:  # a loop, not recursion: the check must not fail the way the parser did
        item, level = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if level > limit:
                return True
            stack.extend((child, level + 1) for child in item)
    return False


def request_json(default: Any = None, *, example: str = "") -> Any:
    """The request's body as JSON (``default`` when empty); a 400 saying why when it is not.

    ``example`` (a body the route takes) is added to the refusal so the caller sees the shape.
    """
    body = request.get_data(cache=True)
    if not body.strip():
        return default
    try:
        return loads(body)
    except BodyInvalid as exc:
        abort(400, f"{exc} Send JSON such as {example}." if example else str(exc))


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading with ``loads`` above."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse like ``jsonbody.loads``; its errors are ValueErrors, as Flask expects."""
        return loads(s, **kwargs)


def init_app(app: Flask) -> None:
    """Make ``request.get_json`` keep to the same limits."""
    app.json = JSONProvider(app)
