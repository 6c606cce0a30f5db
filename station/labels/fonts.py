"""The fonts PDFs are drawn with: an embedded TrueType font when one can be found.

DejaVu Sans covers Latin with macrons (Māori place names), Greek, Cyrillic and Hebrew.
Without it we fall back to Helvetica, log a warning, and replace what WinAnsi cannot
show, so a label still prints.
"""

from __future__ import annotations

import importlib.util
import logging
import unicodedata
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

log = logging.getLogger(__name__)

SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),  # Arch
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)
REGULAR_FILE = "DejaVuSans.ttf"
BOLD_FILE = "DejaVuSans-Bold.ttf"


@dataclass(frozen=True, slots=True)
class FontSet:
    """Registered reportlab font names and the characters they can draw."""

    regular: str
    bold: str
    embedded: bool
    glyphs: Mapping[int, int] | None = None  # code point -> glyph; None for Helvetica

    def can_draw(self, ch: str) -> bool:
        """Whether the regular font has a glyph for ``ch``."""
        if self.glyphs is not None:
            return ord(ch) in self.glyphs
        try:
            ch.encode("cp1252")
        except UnicodeEncodeError:
            return False
        return True

    def prepare(self, text: str) -> str:
        """Replace characters the font cannot draw: 'Ō' -> 'O' in Helvetica, else '?'."""
        if all(self.can_draw(ch) for ch in text):
            return text
        out = []
        for ch in text:
            if self.can_draw(ch):
                out.append(ch)
                continue
            base = "".join(
                c
                for c in unicodedata.normalize("NFKD", ch)
                if not unicodedata.combining(c) and self.can_draw(c)
            )
            out.append(base or "?")
        return "".join(out)


def font_dirs() -> tuple[Path, ...]:
    """Folders searched for DejaVu Sans, including matplotlib's copy if installed."""
    dirs = list(SYSTEM_FONT_DIRS)
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin:
        dirs.append(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf")
    return tuple(dirs)


def load_fonts(dirs: Sequence[Path] | None = None) -> FontSet:
    """Register DejaVu Sans (regular and bold) from the first folder that has both."""
    for folder in font_dirs() if dirs is None else dirs:
        regular, bold = folder / REGULAR_FILE, folder / BOLD_FILE
        if regular.is_file() and bold.is_file():
            try:
                return _register(regular, bold)
            except TTFError as exc:
                log.warning("cannot use fonts in %s: %s", folder, exc)
    log.warning("DejaVu Sans not found; labels use Helvetica and lose non-Latin-1 characters")
    return FontSet("Helvetica", "Helvetica-Bold", embedded=False)


def _register(regular: Path, bold: Path) -> FontSet:
    """Register both faces once per process under names tied to their files."""
    names = []
    for path in (regular, bold):
        name = f"Station-{path.stem}-{zlib.crc32(str(path).encode()):08x}"
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path)))
        names.append(name)
    face = pdfmetrics.getFont(names[0]).face
    return FontSet(names[0], names[1], embedded=True, glyphs=face.charToGlyph)
