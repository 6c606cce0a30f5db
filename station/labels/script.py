"""Writing systems on a label: right-to-left order, Arabic shaping, and ASCII fallbacks.

Labels are drawn left to right, one fitted line at a time, by renderers that know no
bidirectional text. ``visual`` turns a logical line (as typed) into the order its glyphs
are drawn: python-bidi applies the Unicode Bidirectional Algorithm and arabic-reshaper
joins Arabic letters into their contextual forms first. Lines are wrapped in logical
order and reordered afterwards, as the algorithm asks.

A ZPL printer without a Unicode font draws only ASCII and Latin-1 with its built-in
font; ``builtin_text`` transliterates everything else with anyascii ("東京" →
"DongJing"), and ``transliterations`` lists what changed so the bench can say so before
the label prints.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

import arabic_reshaper
from anyascii import anyascii
from bidi import get_display

# Bidi classes that make a line need reordering (strong right-to-left and RTL controls).
_RTL_CLASSES = frozenset({"R", "AL", "RLE", "RLO", "RLI"})
UNKNOWN = "?"  # only when no transliteration exists at all


def needs_reordering(text: str) -> bool:
    """Whether ``text`` has right-to-left characters."""
    return any(unicodedata.bidirectional(ch) in _RTL_CLASSES for ch in text)


def visual(line: str) -> str:
    """One line in drawing order: Arabic shaped, right-to-left runs reversed."""
    if not needs_reordering(line):
        return line
    return get_display(arabic_reshaper.reshape(line))


def builtin_drawable(ch: str) -> bool:
    """Whether a Zebra's built-in font 0 draws ``ch`` under ``^CI28``: ASCII and Latin-1."""
    return " " <= ch <= "~" or "\u00a0" <= ch <= "\u00ff"


def ascii_fallback(ch: str) -> str:
    """``ch`` in ASCII letters (anyascii), or "?" when there is no transliteration."""
    return anyascii(ch) or UNKNOWN


def builtin_text(text: str) -> str:
    """``text`` with every character font 0 cannot draw transliterated to ASCII."""
    if all(builtin_drawable(ch) for ch in text):
        return text
    out: list[str] = []
    for word in _words(text):
        if all(builtin_drawable(ch) for ch in word):
            out.append(word)
        else:
            out.append("".join(ch if builtin_drawable(ch) else ascii_fallback(ch) for ch in word))
    return "".join(out)


def transliterations(texts: Iterable[str]) -> list[tuple[str, str]]:
    """Each distinct word of ``texts`` that ``builtin_text`` changes, with what it prints."""
    seen: dict[str, str] = {}
    for text in texts:
        for word in _words(text):
            if word not in seen and not all(builtin_drawable(ch) for ch in word):
                seen[word] = builtin_text(word)
    return list(seen.items())


def _words(text: str) -> list[str]:
    """``text`` split into words and the spaces between them (joined back unchanged)."""
    out: list[str] = []
    for ch in text:
        if out and ch.isspace() == out[-1][-1].isspace():
            out[-1] += ch
        else:
            out.append(ch)
    return out
