"""Shared label fixtures: a realistic layout, a factory for variants, and a scanner."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from datetime import date
from typing import Any

import pypdf
import pytest
import zxingcpp
from PIL import Image

from station.labels import LabelLayout
from station.labels.preview import render_png
from tests.labels.label_samples import RECEIVER, SENDER


@pytest.fixture
def layout() -> LabelLayout:
    """Parcel 1 of 2 from Auckland to Christchurch, with a tracking URL."""
    return LabelLayout(
        sender=SENDER,
        receiver=RECEIVER,
        service="Overnight Parcel",
        carrier="NZ Post",
        ticket="CP123456789NZ",
        tracking_url="https://track.example.com/t/CP123456789NZ",
        parcel_index=1,
        parcel_count=2,
        weight_grams=1250,
        reference="SO-1042",
        printed_on=date(2024, 5, 1),
        instructions="Leave at the back door",
    )


@pytest.fixture
def make_layout(layout: LabelLayout) -> Callable[..., LabelLayout]:
    """Build a variant of ``layout``; ``receiver_*`` keywords change the receiver."""

    def make(**changes: Any) -> LabelLayout:
        receiver = {k[9:]: changes.pop(k) for k in list(changes) if k.startswith("receiver_")}
        if receiver:
            changes["receiver"] = dataclasses.replace(layout.receiver, **receiver)
        return dataclasses.replace(layout, **changes)

    return make


@pytest.fixture
def scan() -> Callable[..., list[tuple[str, str]]]:
    """Render a PDF page at 203 dpi and read every barcode on it as (format, text)."""

    def read(pdf: bytes, *, page: int = 0) -> list[tuple[str, str]]:
        image = Image.open(io.BytesIO(render_png(pdf, dpi=203, page=page)))
        return sorted((r.format.name, r.text) for r in zxingcpp.read_barcodes(image))

    return read


@pytest.fixture
def pdf_text() -> Callable[[bytes], list[str]]:
    """The text of each page of a PDF, as pypdf extracts it."""

    def extract(pdf: bytes) -> list[str]:
        return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]

    return extract
