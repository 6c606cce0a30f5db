"""Cin7's SQL-like ``where`` filter: a tokenizer, a recursive-descent parser, an evaluator.

Grammar (AND binds tighter than OR; keywords and field names are case-insensitive)::

    expr       := and_expr ("OR" and_expr)*
    and_expr   := term ("AND" term)*
    term       := "(" expr ")" | comparison
    comparison := FIELD ( OP value | ["NOT"] "LIKE" STRING | ["NOT"] "IN" "(" value ("," value)* ")"
                          | "IS" ["NOT"] "NULL" )
    OP         := "=" | "<>" | "!=" | ">" | "<" | ">=" | "<="
    value      := STRING | NUMBER | "true" | "false" | "null"

Fields ending in ``Date`` compare as UTC datetimes (``Z``, an offset, or no zone = UTC).
Given the resource's fields, a filter naming any other field is refused, as Cin7 refuses it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from station.cin7.sandbox.schema import field_value, parse_date

Predicate = Callable[[Mapping[str, Any]], bool]


class WhereError(ValueError):
    """The filter is not valid Cin7 ``where`` syntax."""


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # "name", "string", "number", "op", "(", ")", ","
    text: str
    pos: int


_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<number>-?\d+(?:\.\d+)?)(?![\w.])|(?P<op><>|!=|>=|<=|=|<|>)"
    r"|(?P<paren>[(),])|(?P<name>[A-Za-z_][A-Za-z0-9_.]*))"
)


def tokenize(text: str) -> list[_Token]:
    """Split a filter into tokens; raises WhereError on anything it does not know."""
    tokens: list[_Token] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match or match.end() == pos:
            raise WhereError(f"Unexpected character at position {pos}: {text[pos : pos + 10]!r}")
        group = match.lastgroup or ""
        value = match.group(group)
        kind = value if group == "paren" else group
        tokens.append(_Token(kind, value, match.start(group)))
        pos = match.end()
    return tokens


def parse_where(text: str, known: Collection[str] | None = None) -> Predicate:
    """Compile a filter into a predicate over a record (keys read case-insensitively).

    With ``known`` (the resource's field names), a filter naming another field raises
    WhereError.
    """
    parser = _Parser(tokenize(text), known)
    predicate = parser.expr()
    if parser.peek() is not None:
        token = parser.peek()
        assert token is not None
        raise WhereError(f"Unexpected {token.text!r} at position {token.pos}")
    return predicate


def check_field(name: str, known: Collection[str] | None, where: str) -> None:
    """Raise WhereError unless ``name`` is one of ``known`` (any letter case; None: any name)."""
    if known is not None and name.lower() not in {k.lower() for k in known}:
        raise WhereError(f"{where} names {name!r}, which is not a field of this resource")


class _Parser:
    def __init__(self, tokens: list[_Token], known: Collection[str] | None = None) -> None:
        self._tokens = tokens
        self._i = 0
        self._known = known

    def peek(self) -> _Token | None:
        return self._tokens[self._i] if self._i < len(self._tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise WhereError("The filter ends too early.")
        self._i += 1
        return token

    def keyword(self, *words: str) -> bool:
        token = self.peek()
        if token is not None and token.kind == "name" and token.text.upper() in words:
            self._i += 1
            return True
        return False

    def expect(self, kind: str) -> _Token:
        token = self.take()
        if token.kind != kind:
            raise WhereError(f"Expected {kind!r} at position {token.pos}, found {token.text!r}")
        return token

    def expr(self) -> Predicate:
        parts = [self.and_expr()]
        while self.keyword("OR"):
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else (lambda rec: any(p(rec) for p in parts))

    def and_expr(self) -> Predicate:
        parts = [self.term()]
        while self.keyword("AND"):
            parts.append(self.term())
        return parts[0] if len(parts) == 1 else (lambda rec: all(p(rec) for p in parts))

    def term(self) -> Predicate:
        token = self.peek()
        if token is not None and token.kind == "(":
            self.take()
            inner = self.expr()
            self.expect(")")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        field = self.expect("name").text
        if field.upper() in {"AND", "OR", "NOT", "IS", "IN", "LIKE", "NULL"}:
            raise WhereError(f"Expected a field name, found {field!r}")
        check_field(field, self._known, "where")
        is_date = field.lower().endswith("date")
        if self.keyword("IS"):
            negate = self.keyword("NOT")
            if not self.keyword("NULL"):
                raise WhereError("IS must be followed by NULL or NOT NULL")
            return lambda rec: (field_value(rec, field) is None) != negate
        negate = self.keyword("NOT")
        if self.keyword("LIKE"):
            pattern = _like_regex(self.expect("string").text[1:-1].replace("''", "'"))

            def like(rec: Mapping[str, Any]) -> bool:
                text = _text(
                    field_value(rec, field)
                )  # NULL passes neither LIKE nor NOT LIKE, as in SQL
                return text is not None and bool(pattern.match(text)) != negate

            return like
        if self.keyword("IN"):
            self.expect("(")
            values = [self.value(is_date)]
            while self.peek() is not None and self.peek().kind == ",":  # type: ignore[union-attr]
                self.take()
                values.append(self.value(is_date))
            self.expect(")")

            def within(rec: Mapping[str, Any]) -> bool:
                value = _norm(field_value(rec, field), is_date)  # NULL passes neither IN nor NOT IN
                return value is not None and any(_compare(value, "=", v) for v in values) != negate

            return within
        if negate:
            raise WhereError("NOT must be followed by LIKE or IN")
        op = self.expect("op").text
        value = self.value(is_date)
        return lambda rec: _compare(_norm(field_value(rec, field), is_date), op, value)

    def value(self, is_date: bool) -> Any:
        token = self.take()
        if token.kind == "string":
            text = token.text[1:-1].replace("''", "'")
            if is_date:
                try:
                    return parse_date(text)
                except ValueError:
                    raise WhereError(f"{text!r} is not a date") from None
            return text
        if token.kind == "number":
            return float(token.text) if "." in token.text else int(token.text)
        if token.kind == "name" and token.text.lower() in {"true", "false"}:
            return token.text.lower() == "true"
        if token.kind == "name" and token.text.lower() == "null":
            return None
        raise WhereError(f"Expected a value at position {token.pos}, found {token.text!r}")


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _norm(value: Any, is_date: bool) -> Any:
    if is_date and isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError:
            return value
    return value


def _compare(left: Any, op: str, right: Any) -> bool:
    if left is None or right is None:
        return False
    if isinstance(left, str) and isinstance(right, str):
        left, right = left.lower(), right.lower()
    elif isinstance(left, bool) or isinstance(right, bool):
        left, right = bool(left), bool(right)
    elif isinstance(right, (int, float)) and not isinstance(left, (int, float)):
        try:
            left = float(left)
        except (TypeError, ValueError):
            return False
    try:
        if op == "=":
            return bool(left == right)
        if op in ("<>", "!="):
            return bool(left != right)
        if op == ">":
            return bool(left > right)
        if op == "<":
            return bool(left < right)
        if op == ">=":
            return bool(left >= right)
        return bool(left <= right)
    except TypeError:
        return False


def _like_regex(pattern: str) -> re.Pattern[str]:
    parts = [".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern]
    return re.compile("^" + "".join(parts) + "$", re.IGNORECASE | re.DOTALL)
