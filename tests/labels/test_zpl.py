"""ZPL output: golden bytes, escaping of hostile text, and scaling between 203 and 300 dpi."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from reportlab.graphics.barcode.code128 import Code128

from station.labels import (
    SIZE_4X6,
    SIZE_100X150,
    SIZE_100X175,
    SIZE_A4,
    SIZE_A6,
    LabelError,
    LabelLayout,
    LabelSize,
    render_zpl,
)
from station.labels.plan import plan_label
from station.labels.script import builtin_text
from station.labels.zpl import code128_data, escape_field
from tests.labels.golden import assert_golden, field_texts
from tests.labels.label_samples import HOSTILE

ALLOWED_COMMANDS = {
    "XA", "CI", "PW", "LL", "LH", "FO", "GB", "A0", "FH", "FD", "FS", "BY", "BC", "BQ", "XZ",
}  # fmt: skip
SAFE_FIELD = re.compile(r"(?:_[0-9A-F]{2}|[\x20-\x5b\x5d\x60-\x7d])*")


def commands(zpl: bytes) -> list[str]:
    """Split ZPL into commands, each starting with its ^ or ~ prefix."""
    text = zpl.decode("ascii")
    return [token.rstrip("\n") for token in re.split(r"(?=[\^~])", text) if token.strip()]


class TestGolden:
    def test_4x6_at_203_dpi(self, layout: LabelLayout) -> None:
        assert_golden("label_4x6_203dpi.zpl", render_zpl(layout))

    def test_4x6_at_300_dpi(self, layout: LabelLayout) -> None:
        assert_golden("label_4x6_300dpi.zpl", render_zpl(layout, dpi=300))

    def test_100x150_without_tracking_or_instructions(
        self, make_layout: Callable[..., LabelLayout]
    ) -> None:
        layout = make_layout(tracking_url=None, instructions=None, ticket="00093312345678901234")
        assert_golden("label_100x150_plain.zpl", render_zpl(layout, size=SIZE_100X150))

    def test_hostile_text(self, make_layout: Callable[..., LabelLayout]) -> None:
        layout = make_layout(
            receiver_name=HOSTILE["end and restart format"],
            receiver_company=HOSTILE["control command"],
            receiver_lines=(HOSTILE["backslash and field-block break"], HOSTILE["rtl"]),
            receiver_city=HOSTILE["emoji"],
            service=HOSTILE["macrons"],
            ticket="A>B^C~D_E\\F",
        )
        assert_golden("label_hostile_203dpi.zpl", render_zpl(layout))


def test_output_is_deterministic(layout: LabelLayout) -> None:
    assert render_zpl(layout) == render_zpl(layout)


@pytest.mark.parametrize(
    "field",
    [
        "receiver_name",
        "receiver_lines",
        "service",
        "reference",
        "instructions",
        "carrier",
        "receiver_phone",
    ],
)
@pytest.mark.parametrize("hostile", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_text_cannot_break_out_of_its_field(
    make_layout: Callable[..., LabelLayout], field: str, hostile: str
) -> None:
    value = (hostile, hostile) if field == "receiver_lines" else hostile
    layout = make_layout(**{field: value})
    zpl = render_zpl(layout)
    tokens = commands(zpl)

    assert tokens[0] == "^XA" and tokens[-1] == "^XZ"
    assert zpl.count(b"^XA") == 1 and zpl.count(b"^XZ") == 1
    assert b"~" not in zpl and b"\\" not in zpl
    for i, token in enumerate(tokens):
        assert token[1:3] in ALLOWED_COMMANDS, f"unexpected command {token[:12]!r}"
        if token.startswith("^FD"):
            assert tokens[i - 1] == "^FH_", "every field is hex-escaped"
            assert SAFE_FIELD.fullmatch(token[3:]), f"unsafe field data {token!r}"
    # what reaches the printer is the fitted text we planned, in letters font 0 has
    planned = [builtin_text(line.text) for line in plan_label(layout, SIZE_4X6).texts]
    assert field_texts(zpl) == planned


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("^XZ", "_5EXZ"),
        ("~JR", "_7EJR"),
        ("\\&", "_5C&"),
        ("a_b", "a_5Fb"),
        ("Ōtautahi", "_C5_8Ctautahi"),
        ("📦", "_F0_9F_93_A6"),
        ("tab\there", "tab_09here"),
    ],
)
def test_fields_are_hex_escaped_as_utf8(text: str, escaped: str) -> None:
    assert escape_field(text) == escaped


@pytest.mark.parametrize(
    ("dpi", "width", "length"),
    [(203, 812, 1218), (300, 1200, 1800)],
)
def test_print_width_and_length_follow_the_dpi(
    layout: LabelLayout, dpi: int, width: int, length: int
) -> None:
    tokens = commands(render_zpl(layout, dpi=dpi))
    assert f"^PW{width}" in tokens and f"^LL{length}" in tokens


def test_positions_scale_from_203_to_300_dpi(layout: LabelLayout) -> None:
    def origins(zpl: bytes) -> list[tuple[int, int]]:
        return [(int(x), int(y)) for x, y in re.findall(rb"\^FO(\d+),(\d+)\^(?:A0|GB)", zpl)]

    low, high = origins(render_zpl(layout)), origins(render_zpl(layout, dpi=300))
    assert len(low) == len(high) > 20
    for (x1, y1), (x2, y2) in zip(low, high, strict=True):
        assert abs(x1 * 300 / 203 - x2) <= 1.5 and abs(y1 * 300 / 203 - y2) <= 1.5


@pytest.mark.parametrize(
    "size", [SIZE_4X6, SIZE_100X150, SIZE_100X175, SIZE_A6], ids=lambda s: s.name
)
def test_every_label_size_renders(layout: LabelLayout, size: LabelSize) -> None:
    tokens = commands(render_zpl(layout, size=size))
    assert f"^LL{round(size.height_mm * 203 / 25.4)}" in tokens


def test_a4_is_not_a_zpl_label(layout: LabelLayout) -> None:
    with pytest.raises(LabelError, match="sheet"):
        render_zpl(layout, size=SIZE_A4)


def test_unsupported_dpi_is_refused(layout: LabelLayout) -> None:
    with pytest.raises(LabelError, match="600"):
        render_zpl(layout, dpi=600)


def test_qr_only_when_there_is_a_tracking_url(make_layout: Callable[..., LabelLayout]) -> None:
    assert b"^BQN" in render_zpl(make_layout())
    assert b"^BQN" not in render_zpl(make_layout(tracking_url=None))


class TestCode128:
    @pytest.mark.parametrize(
        ("value", "data"),
        [
            ("00093312345678901234", ">;00093312345678901234"),
            ("CP123456789NZ", ">:CP1>523456789>6NZ"),
            ("1234AB", ">;1234>6AB"),
            ("AB12345", ">:AB1>52345"),
            ("A12B", ">:A12B"),
            ("12345", ">:1>52345"),
            ("A>B", ">:A>0B"),
            (">>1234567", ">:>0>01>5234567"),
        ],
    )
    def test_digit_runs_use_subset_c(self, value: str, data: str) -> None:
        assert code128_data(value)[0] == data

    @pytest.mark.parametrize("value", ["00093312345678901234", "CP123456789NZ", "ABC-1", "7"])
    def test_width_matches_reportlab(self, value: str) -> None:
        assert code128_data(value)[1] == Code128(value, barWidth=1, quiet=False).width

    def test_barcode_field_is_escaped(self, make_layout: Callable[..., LabelLayout]) -> None:
        zpl = render_zpl(make_layout(ticket="A^B~C"))
        assert b"^FH_^FD>:A_5EB_7EC^FS" in zpl
