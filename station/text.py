"""Making text from outside storable: what Station drops from it, in one place.

Text comes from Cin7, from shops (the inbox API, CSV files, Shopify webhooks) and from
people's forms. Whatever the source, before it is kept:

- NUL, the other C0 control characters and DEL are dropped: PostgreSQL cannot store a
  NUL at all, and the others are never meant (a pasted escape sequence, a stray form feed);
- a *single-line* field (a name, an address line, a reference) turns tab, newline and
  carriage return into a space, so words either side stay apart;
- a *multi-line* field (delivery instructions, comments) keeps tab and newline, and a
  carriage return (``\\r\\n`` from a browser, a lone ``\\r`` from old software) becomes a
  newline;
- a lone surrogate (``"\\ud800"``, which JSON can carry but UTF-8 cannot) becomes U+FFFD.

Nothing else changes: no trimming, no other normalising. :func:`scrub_parameters` is the last
net, at the database layer: it drops a NUL (and replaces a lone surrogate) in any bound
parameter of any statement, so a value no entry point cleaned cannot fail a query.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, overload

_CONTROLS = [*range(0x00, 0x20), 0x7F]
_SINGLE_LINE = str.maketrans({c: " " if chr(c) in "\t\n\r" else None for c in _CONTROLS})
_MULTI_LINE = str.maketrans(
    {c: None for c in _CONTROLS if chr(c) not in "\t\n\r"} | {ord("\r"): "\n"}
)
# What each kind of field may not hold; a search that finds nothing is the common, fast case.
_NOT_SINGLE_LINE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
_NOT_MULTI_LINE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")


@overload
def clean_line(value: str) -> str: ...
@overload
def clean_line(value: None) -> None: ...
def clean_line(value: str | None) -> str | None:
    """A single-line field made storable: controls dropped, tab and line breaks made spaces."""
    if value is None or _NOT_SINGLE_LINE.search(value) is None:
        return value
    return _no_surrogates(value.replace("\r\n", "\n").translate(_SINGLE_LINE))


@overload
def clean_lines(value: str) -> str: ...
@overload
def clean_lines(value: None) -> None: ...
def clean_lines(value: str | None) -> str | None:
    """A multi-line field made storable: controls dropped, tab and newline kept."""
    if value is None or _NOT_MULTI_LINE.search(value) is None:
        return value
    return _no_surrogates(value.replace("\r\n", "\n").translate(_MULTI_LINE))


def _no_surrogates(value: str) -> str:
    if value.isascii():  # O(1) in CPython: a string knows whether it is all ASCII
        return value
    return _SURROGATE.sub("\ufffd", value)


def scrub_parameters(parameters: Any) -> Any:
    """Bound parameters (one set, or many) without a NUL or a lone surrogate in any text.

    Any shape the driver takes (a dict, a tuple or list of values, a list of either) is
    walked; ``parameters`` itself comes back untouched in the common case of clean text.
    """
    if not _unstorable(parameters):
        return parameters
    return _scrubbed(parameters)


def _unstorable(parameters: Any) -> bool:
    values = parameters.values() if type(parameters) is dict else parameters
    for value in values:
        kind = type(value)
        if kind is str:
            if "\x00" in value or (not value.isascii() and _SURROGATE.search(value)):
                return True
        elif (kind is dict or kind is list or kind is tuple) and _unstorable(value):
            return True
    return False


def _scrubbed(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return _no_surrogates(value.replace("\x00", ""))
    if kind is dict:
        return {k: _scrubbed(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return kind(_scrubbed(v) for v in value)
    return value


# Combining diacritical marks (U+0300 to U+036F): the macron of "ā", the acute of "é".
# Marks of other scripts (Japanese dakuten, Hebrew points) make another letter: kept.
_ACCENTS = range(0x300, 0x370)


def search_fold(text: str) -> str:
    """``text`` as searches compare it: case folded, accents off Latin letters.

    "Tāne", "TANE" and "tane" all read "tane"; "Straße" reads "strasse". A search folds
    the stored text and what was typed the same way, so a packer without macrons on the
    keyboard finds "Ōtaki" by typing "otaki".
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if ord(c) not in _ACCENTS)
