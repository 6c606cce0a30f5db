"""Font discovery and the Helvetica fallback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from station.labels import LabelLayout, render_pdf
from station.labels.fonts import BOLD_FILE, REGULAR_FILE, font_dirs, load_fonts


@pytest.fixture
def dejavu() -> None:
    """Skip when this machine has no DejaVu Sans."""
    if not any((d / REGULAR_FILE).is_file() for d in font_dirs()):
        pytest.skip("DejaVu Sans is not installed here")


@pytest.mark.usefixtures("dejavu")
def test_dejavu_is_embedded_and_draws_macrons_and_hebrew() -> None:
    fonts = load_fonts()
    assert fonts.embedded
    assert fonts.prepare("Ōtautahi שלום 📦") == "Ōtautahi שלום ?"


def test_without_dejavu_helvetica_is_used_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="station.labels.fonts"):
        fonts = load_fonts([tmp_path])
    assert (fonts.regular, fonts.embedded) == ("Helvetica", False)
    assert "Helvetica" in caplog.text
    assert fonts.prepare("Ōtautahi € שלום 📦") == "Otautahi € ???? ?"


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
    assert "Otautahi ???? ?" in pdf_text(pdf)[0]
    assert ("Code128", "CP123456789NZ") in scan(pdf)
