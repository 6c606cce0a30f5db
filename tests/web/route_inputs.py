"""What each route takes, found by reading Station's pages and watching its views.

``learn_forms`` reads every ``<form>`` (and lone ``hx-get``/``hx-post`` element) of a page:
its target route, field names and default values. ``record_reads`` makes the app's
argument and form dictionaries note each key a view reads, WTForms included. ``learn_paths``
notes which row (the URL's arguments) each form on a page acts on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import flask
from flask import Flask, g, has_request_context
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException


@dataclass
class Inputs:
    """What one route takes: query and form fields with defaults, uploads, a JSON body."""

    query: dict[str, str] = field(default_factory=dict)
    form: dict[str, str] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


class _Recorder(ImmutableMultiDict):  # type: ignore[type-arg]
    """Argument and form storage that notes each key a view reads."""

    def _note(self, key: object) -> None:
        if has_request_context() and isinstance(key, str):
            g.setdefault("fuzz_reads", []).append((self, key))

    def __getitem__(self, key: Any) -> Any:
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key: object) -> bool:
        self._note(key)
        return super().__contains__(key)

    def get(self, key: Any, default: Any = None, type: Any = None) -> Any:  # noqa: A002
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key: Any, type: Any = None) -> list[Any]:  # noqa: A002
        self._note(key)
        return super().getlist(key, type)


def record_reads(app: Flask, found: dict[tuple[str, str], Inputs]) -> None:
    class RecordingRequest(app.request_class):  # type: ignore[name-defined, misc]
        parameter_storage_class = _Recorder

    app.request_class = RecordingRequest

    @app.after_request
    def note_reads(response: Any) -> Any:
        request = flask.request
        key = (request.endpoint or "", request.method)
        for store, name in g.get("fuzz_reads", []):
            inputs = found.setdefault(key, Inputs())
            if name == "csrf_token":
                continue
            if store is request.args:
                inputs.query.setdefault(name, "")
            elif store is request.files:
                inputs.files.add(name)
            else:
                inputs.form.setdefault(name, "")
        return response


class _Forms(HTMLParser):
    """Every form (and lone hx-get/hx-post element) in a page: target, method, fields."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.page = page
        self.found: list[tuple[str, str, dict[str, str], set[str]]] = []
        self._form: tuple[str, str, dict[str, str], set[str]] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        target, method = _target(a, self.page)
        if tag == "form":
            self._form = (target or self.page, method or a.get("method", "get").upper(), {}, set())
            self.found.append(self._form)
            return
        name = a.get("name")
        if target and tag != "form":  # an element that sends itself
            self.found.append((target, method, {name: a.get("value", "")} if name else {}, set()))
        if self._form is None or not name:
            if tag == "option" and self._select and self._form is not None:
                self._option(a)
            return
        fields, files = self._form[2], self._form[3]
        if tag == "input" and a.get("type") == "file":
            files.add(name)
        elif tag == "input" and a.get("type") in {"checkbox", "radio"}:
            if "checked" in a or name not in fields:
                fields[name] = a.get("value") or "on"
        elif tag == "select":
            fields.setdefault(name, "")
            self._select = name
        elif tag == "textarea":
            fields.setdefault(name, "")
            self._textarea = name
        else:
            fields.setdefault(name, a.get("value", ""))

    def _option(self, a: dict[str, str]) -> None:
        assert self._form is not None and self._select is not None
        fields = self._form[2]
        if "selected" in a or not fields.get(self._select):
            fields[self._select] = a.get("value", "")

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form[2][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _target(a: dict[str, str], page: str) -> tuple[str, str]:
    for attr, method in (("hx-post", "POST"), ("hx-get", "GET"), ("action", "")):
        if a.get(attr):
            return a[attr], method or ("POST" if a.get("method", "").lower() == "post" else "GET")
    return "", ""


def learn_forms(app: Flask, page: str, html: str, found: dict[tuple[str, str], Inputs]) -> None:
    adapter = app.url_map.bind("localhost")
    parser = _Forms(page)
    parser.feed(html)
    for target, method, fields, files in parser.found:
        url = urlsplit(target)
        try:
            endpoint, _ = adapter.match(url.path, method)
        except HTTPException:
            continue
        inputs = found.setdefault((endpoint, method), Inputs())
        for name, value in parse_qsl(url.query, keep_blank_values=True):
            inputs.query.setdefault(name, value)
        place = inputs.query if method == "GET" else inputs.form
        for name, value in fields.items():
            if name != "csrf_token" and not place.get(name):
                place[name] = value
        inputs.files |= files


def learn_paths(app: Flask, page: str, html: str, found: dict[str, dict[str, Any]]) -> None:
    """Note the URL arguments (which row, which carrier) of the first form or button on the
    page that sends to each endpoint, so a caller can act on a row that exists."""
    adapter = app.url_map.bind("localhost")
    parser = _Forms(page)
    parser.feed(html)
    for target, method, _, _ in parser.found:
        try:
            endpoint, values = adapter.match(urlsplit(target).path, method)
        except HTTPException:
            continue
        if values:
            found.setdefault(endpoint, values)
