"""People's input made storable at the request edge, before any view or form reads it.

Every form field of every request is cleaned by the rule in :mod:`station.text` as
Werkzeug parses the body: ``StationRequest`` has its form parser build
:class:`CleanedParameters`, so ``request.form``, ``request.values`` and every WTForms
form built from them (sign-in included) only ever see cleaned text. One mechanism
covers every text box, including views that read ``request.form`` directly.

Fields are single-line (tab and line breaks become spaces) unless their name is in
:data:`MULTI_LINE_FIELDS`, the text areas, which keep tab and newline. Query parameters
are left as sent (``?next=/%09/evil.example`` must still look hostile to the sign-in's
redirect check); what they bind to a query loses any NUL under every statement
(``station.extensions``). Uploaded files and JSON bodies are left as sent too: the
importer or API that reads them cleans each field it keeps (``station.inbox.orders``),
and the Shopify signature is checked on the raw body.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import Flask
from htmx_flask.requests import HtmxAwareRequest
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items
from werkzeug.formparser import FormDataParser

from station.text import clean_line, clean_lines

# Names of the form fields people type several lines into (<textarea>s).
MULTI_LINE_FIELDS = frozenset({"configs"})


class CleanedParameters(ImmutableMultiDict[str, Any]):
    """Form fields or query parameters with every text value cleaned; files untouched."""

    def __init__(
        self, mapping: Mapping[str, Any] | Iterable[tuple[str, Any]] | None = None
    ) -> None:
        pairs = iter_multi_items(mapping) if mapping is not None else ()
        super().__init__([(clean_line(key), _cleaned(key, value)) for key, value in pairs])


def _cleaned(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value  # an uploaded file
    return clean_lines(value) if key in MULTI_LINE_FIELDS else clean_line(value)


class StationRequest(HtmxAwareRequest):
    """The request every view sees (``request.htmx`` included), with cleaned form fields."""

    def make_form_data_parser(self) -> FormDataParser:
        parser = super().make_form_data_parser()
        parser.cls = CleanedParameters
        return parser


def init_app(app: Flask) -> None:
    """Make every request of ``app`` a :class:`StationRequest` (after htmx set its own)."""
    app.request_class = StationRequest
