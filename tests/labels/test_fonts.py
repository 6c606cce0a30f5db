"""The font chain: which font draws which script, and the fallbacks when fonts are missing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from station.labels import LabelLayout, render_pdf
from station.labels.fonts import BOLD_FILE, FAMILIES, REGULAR_FILE, font_dirs, load_fonts


def installed(family: str) -> bool:
    """Whether this machine has the family's regular file in a searched folder."""
    [found] = [f for f in FAMILIES if f.name == family]
    return any((d / found.regular).is_file() for d in font_dirs())


needs_every_font = pytest.mark.skipif(
    not all(installed(f.name) for f in FAMILIES),
    reason="the label fonts are not installed (make fonts)",
)


@needs_every_font
def test_each_script_is_drawn_by_a_font_that_has_it() -> None:
    fonts = load_fonts()
    runs = fonts.runs("Ōtautahi 東京 שלום 5 شارع", bold=False)

    assert [run.text for run in runs] == ["Ōtautahi ", "東京 ", "שלום ", "5 ", "شارع"]
    names = [run.font.split("-")[1] for run in runs]
    assert names == ["NotoSans", "wqy", "NotoSansHebrew", "NotoSans", "NotoSansArabic"]


@needs_every_font
def test_a_family_without_bold_is_made_bold_by_stroking() -> None:
    fonts = load_fonts()
    [cjk] = fonts.runs("東京", bold=True)
    [latin] = fonts.runs("Tokyo", bold=True)

    assert cjk.fake_bold and not latin.fake_bold
    assert latin.font.startswith("Station-NotoSans-Bold")


@needs_every_font
def test_characters_no_font_has_are_transliterated_not_dropped() -> None:
    assert load_fonts().prepare("Ōtautahi 📦") == "Ōtautahi :package:"


def test_only_dejavu_still_draws_macrons_and_hebrew(tmp_path: Path) -> None:
    dejavu = next((d for d in font_dirs() if (d / REGULAR_FILE).is_file()), None)
    if dejavu is None:
        pytest.skip("DejaVu Sans is not installed here")
    for name in (REGULAR_FILE, BOLD_FILE):
        (tmp_path / name).symlink_to(dejavu / name)

    fonts = load_fonts([tmp_path])

    assert fonts.embedded
    assert fonts.prepare("Ōtautahi שלום 東京") == "Ōtautahi שלום DongJing"


def test_without_fonts_helvetica_is_used_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="station.labels.fonts"):
        fonts = load_fonts([tmp_path])
    assert (fonts.regular, fonts.embedded) == ("Helvetica", False)
    assert "Helvetica" in caplog.text and "fonts-noto-core" in caplog.text
    assert fonts.prepare("Ōtautahi € שלום 📦") == "Otautahi € slvm :package:"


def test_a_broken_font_file_falls_back_instead_of_crashing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for name in (REGULAR_FILE, BOLD_FILE):
        (tmp_path / name).write_bytes(b"not a font")
    with caplog.at_level(logging.WARNING, logger="station.labels.fonts"):
        fonts = load_fonts([tmp_path])
    assert fonts.regular == "Helvetica"
    assert str(tmp_path) in caplog.text


def test_labels_render_with_the_fallback_font(
    make_layout: Callable[..., LabelLayout],
    pdf_text: Callable[[bytes], list[str]],
    scan: Callable[..., list[tuple[str, str]]],
    tmp_path: Path,
) -> None:
    layout = make_layout(receiver_name="Ōtautahi שלום 📦")
    pdf = render_pdf([layout], fonts=load_fonts([tmp_path]))
    assert "Otautahi slvm :package:" in pdf_text(pdf)[0]
    assert ("Code128", "CP123456789NZ") in scan(pdf)
