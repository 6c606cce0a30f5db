"""Addresses in other scripts at the bench and on the printer form: warned, never '?'."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from station.extensions import db
from station.models import Printer, PrintJob
from tests.builders import add_order
from tests.web.bench import open_order

TOKYO = {  # an Auckland importer with a Japanese name (the own-label carrier serves NZ/AU)
    "delivery_first_name": "山田",
    "delivery_last_name": "太郎",
    "delivery_company": "東京商事",
}


def set_printer(app: Flask, **spec: str) -> None:
    with app.app_context():
        printer = db.session.scalars(select(Printer)).one()
        printer.spec = {"format": "zpl", "transport": "memory", **spec}
        db.session.commit()


def add_tokyo_order(app: Flask) -> None:
    with app.app_context():
        add_order(db.session, 5002, **TOKYO)
        db.session.commit()


def test_a_zebra_without_a_unicode_font_warns_before_printing(
    app: Flask, bench: FlaskClient
) -> None:
    add_tokyo_order(app)

    page, _ = open_order(bench, "SO-5002")

    [notice] = re.findall(r'<p [^>]*id="script-notice">([^<]*)</p>', page)
    assert notice.startswith("The address is transliterated on Bench 1: 山田 → ShanTian,")
    assert "東京商事 → DongJingShangShi" in notice and "Unicode font" in notice


def test_the_transliterated_label_prints_what_the_warning_said(
    app: Flask, bench: FlaskClient
) -> None:
    add_tokyo_order(app)
    _, key = open_order(bench, "SO-5002")

    response = bench.post(
        "/bench/ship", data={"order_id": "2", "key": key, "weight": "1", "service": "ownlabel:ON"}
    )

    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        label = db.session.scalars(select(PrintJob)).one().payload
    assert b"^FDShanTian TaiLang^FS" in label and b"^FDDongJingShangShi^FS" in label
    assert b"?" not in label.split(b"^BQN")[0]


def test_a_zebra_with_a_unicode_font_prints_as_written_without_a_warning(
    app: Flask, bench: FlaskClient
) -> None:
    add_tokyo_order(app)
    set_printer(app, unicode_font="E:ANMDJ.TTF")
    page, key = open_order(bench, "SO-5002")

    bench.post(
        "/bench/ship", data={"order_id": "2", "key": key, "weight": "1", "service": "ownlabel:ON"}
    )

    assert 'id="script-notice"' not in page
    with app.app_context():
        label = db.session.scalars(select(PrintJob)).one().payload
    tokyo = "".join(f"_{b:02X}" for b in "東京商事".encode())
    assert b"^CWJ,E:ANMDJ.TTF" in label and f"^FH_^FD{tokyo}^FS".encode() in label


def test_a_pdf_printer_embeds_fonts_and_needs_no_warning(app: Flask, bench: FlaskClient) -> None:
    add_tokyo_order(app)
    set_printer(app, format="pdf")

    page, _ = open_order(bench, "SO-5002")

    assert 'id="script-notice"' not in page


def test_a_macron_is_named_too_and_a_unicode_font_silences_it(
    app: Flask, bench: FlaskClient
) -> None:
    page, _ = open_order(bench, "SO-5001")  # to Mere Tūhoe: font 0 has no ū, and we say so

    assert "Tūhoe → Tuhoe" in page
    set_printer(app, unicode_font="E:ANMDJ.TTF")
    page, _ = open_order(bench, "SO-5001")
    assert 'id="script-notice"' not in page
