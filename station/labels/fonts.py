"""The fonts PDFs are drawn with: a chain of embedded TrueType fonts, chosen per character.

Each run of text is drawn in the first font of the chain that has its glyphs (reportlab
embeds only the glyphs used, so a label stays small):

1. Noto Sans — Latin with macrons (Māori place names), Greek, Cyrillic
2. Noto Sans Hebrew, 3. Noto Sans Arabic — Debian's ``fonts-noto-core``
4. WenQuanYi Micro Hei — Chinese, Japanese and Korean (``fonts-wqy-microhei``). Noto's
   own CJK fonts have PostScript outlines, which reportlab cannot embed.
5. DejaVu Sans — symbols the others lack, and the one font older installs had.

``make install`` installs the Debian packages. Fonts that are missing are logged and
skipped; characters no font has are transliterated (anyascii, "📦" → ":package:"). With
no font at all we fall back to Helvetica, so a label still prints.
"""

from __future__ import annotations

import functools
import importlib.util
import logging
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from station.labels.script import ascii_fallback

log = logging.getLogger(__name__)

SYSTEM_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/noto"),  # Debian, Ubuntu: fonts-noto-core
    Path("/usr/share/fonts/truetype/wqy"),  # fonts-wqy-microhei
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/google-noto"),  # Fedora
    Path("/usr/share/fonts/wqy-microhei"),
    Path("/usr/share/fonts/dejavu-sans-fonts"),
    Path("/usr/share/fonts/noto"),  # Arch
    Path("/usr/share/fonts/wenquanyi/wqy-microhei"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/local/share/fonts"),
    Path("/Library/Fonts"),
)
REGULAR_FILE = "DejaVuSans.ttf"
BOLD_FILE = "DejaVuSans-Bold.ttf"


@dataclass(frozen=True, slots=True)
class Family:
    """A font family the chain may use: its files and where it comes from."""

    name: str
    regular: str
    bold: str | None  # None: draw bold by stroking the regular outlines
    package: str  # the Debian package that installs it


FAMILIES = (
    Family("Noto Sans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf", "fonts-noto-core"),
    Family(
        "Noto Sans Hebrew",
        "NotoSansHebrew-Regular.ttf",
        "NotoSansHebrew-Bold.ttf",
        "fonts-noto-core",
    ),
    Family(
        "Noto Sans Arabic",
        "NotoSansArabic-Regular.ttf",
        "NotoSansArabic-Bold.ttf",
        "fonts-noto-core",
    ),
    Family("WenQuanYi Micro Hei", "wqy-microhei.ttc", None, "fonts-wqy-microhei"),
    Family("DejaVu Sans", REGULAR_FILE, BOLD_FILE, "fonts-dejavu-core"),
)


@dataclass(frozen=True, slots=True)
class Face:
    """One registered family: reportlab font names and the characters it has."""

    regular: str
    bold: str
    glyphs: Mapping[int, int] | None  # code point -> glyph; None for Helvetica (WinAnsi)
    fake_bold: bool = False

    def covers(self, ch: str) -> bool:
        """Whether this face has a glyph for ``ch``."""
        if self.glyphs is not None:
            return ord(ch) in self.glyphs
        try:
            ch.encode("cp1252")
        except UnicodeEncodeError:
            return False
        return True


HELVETICA = Face("Helvetica", "Helvetica-Bold", None)


@dataclass(frozen=True, slots=True)
class Run:
    """Consecutive characters drawn in one font."""

    font: str
    text: str
    fake_bold: bool = False


@dataclass(frozen=True, slots=True)
class FontSet:
    """The font chain, in order of preference."""

    faces: tuple[Face, ...]

    @property
    def embedded(self) -> bool:
        """Whether the text is drawn in embedded TrueType fonts."""
        return self.faces[0].glyphs is not None

    @property
    def regular(self) -> str:
        """The first choice for regular text."""
        return self.faces[0].regular

    @property
    def bold(self) -> str:
        """The first choice for bold text."""
        return self.faces[0].bold

    def can_draw(self, ch: str) -> bool:
        """Whether some font of the chain has a glyph for ``ch``."""
        return self._face_for(ch) is not None

    def prepare(self, text: str) -> str:
        """``text`` with characters no font has transliterated ("📦" -> ":package:")."""
        if all(self.can_draw(ch) for ch in text):
            return text
        out = []
        for ch in text:
            if self.can_draw(ch) or ch.isspace():
                out.append(ch)
            else:
                fallback = ascii_fallback(ch)
                out.append(fallback if all(self.can_draw(c) for c in fallback) else "?")
        return "".join(out)

    def runs(self, text: str, *, bold: bool = False) -> list[Run]:
        """Split prepared ``text`` into runs, each in the first font that draws it.

        A character the current run's font also has (a space, say) stays in that run
        rather than starting a run of its own.
        """
        runs: list[Run] = []
        current: Face | None = None
        start = 0
        for i, ch in enumerate(text):
            if current is not None and current.covers(ch):
                continue
            face = self._face_for(ch) or self.faces[-1]
            if current is not None and face is not current:
                runs.append(_run(current, text[start:i], bold))
                start = i
            current = face
        if current is not None:
            runs.append(_run(current, text[start:], bold))
        return runs

    def _face_for(self, ch: str) -> Face | None:
        return next((face for face in self.faces if face.covers(ch)), None)


def _run(face: Face, text: str, bold: bool) -> Run:
    return Run(face.bold if bold else face.regular, text, fake_bold=bold and face.fake_bold)


def font_dirs() -> tuple[Path, ...]:
    """Folders searched for the fonts, including matplotlib's DejaVu if installed."""
    dirs = list(SYSTEM_FONT_DIRS)
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin:
        dirs.append(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf")
    return tuple(dirs)


def load_fonts(dirs: Sequence[Path] | None = None) -> FontSet:
    """The chain of every family found in ``dirs`` (the system's font folders by default)."""
    return _load(tuple(font_dirs() if dirs is None else dirs))


@functools.cache
def _load(dirs: tuple[Path, ...]) -> FontSet:
    faces: list[Face] = []
    missing: list[Family] = []
    for family in FAMILIES:
        face = _find(family, dirs)
        if face is None:
            missing.append(family)
        else:
            faces.append(face)
    if missing:
        names = ", ".join(f"{f.name} ({f.package})" for f in missing)
        log.warning("label fonts not installed: %s; their scripts are transliterated", names)
    if not faces:
        log.warning("no label fonts found; labels use Helvetica and transliterate the rest")
        return FontSet((HELVETICA,))
    return FontSet(tuple(faces))


def _find(family: Family, dirs: Sequence[Path]) -> Face | None:
    """Register ``family`` from the first folder that has its regular file."""
    for folder in dirs:
        regular = folder / family.regular
        if not regular.is_file():
            continue
        bold = folder / family.bold if family.bold else None
        try:
            return _register(regular, bold if bold and bold.is_file() else None)
        except TTFError as exc:
            log.warning("cannot use font %s: %s", regular, exc)
    return None


def _register(regular: Path, bold: Path | None) -> Face:
    """Register the faces once per process under names tied to their files."""
    names = []
    for path in (regular, bold or regular):
        name = f"Station-{path.stem}-{zlib.crc32(str(path).encode()):08x}"
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(path), subfontIndex=0))
        names.append(name)
    face = pdfmetrics.getFont(names[0]).face
    return Face(names[0], names[1], glyphs=face.charToGlyph, fake_bold=bold is None)
